using System.Buffers;
using System.IO.Pipelines;
using Infra.Qmp.Codec;

namespace Infra.Qmp;

public sealed partial class QmpClient
{
    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (true)
                {
                    var status = JsonLineFramer.TryReadFrame(ref buffer, out var frame, _options.MaxFrameBytes);
                    if (status == FrameStatus.TooLarge)
                        throw new QmpProtocolException($"peer sent a frame over {_options.MaxFrameBytes} bytes");
                    if (status == FrameStatus.Incomplete) break;
                    Dispatch(QmpMessage.Parse(frame));
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) { reason = new EndOfStreamException("peer closed the connection"); break; }
            }
        }
        catch (Exception e) { reason = e; }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            Close(reason ?? new EndOfStreamException("read loop ended"));
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var bytes in _outgoing.Reader.ReadAllAsync(_shutdown.Token).ConfigureAwait(false))
            {
                await _stream.WriteAsync(bytes, _shutdown.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_shutdown.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) { Close(e); }
    }

    private void Dispatch(QmpMessage message)
    {
        switch (message)
        {
            case QmpGreeting g: _greeting.TrySetResult(g); break;
            case QmpEvent e: LogEvent(_log, e.Name); Publish(e); break;
            case QmpReturn { Id: { } id }: Complete(id, message); break;
            case QmpError { Id: { } id }: Complete(id, message); break;
            default: LogUnmatched(_log, message.GetType().Name); break;
        }
    }

    private void Complete(string id, QmpMessage reply)
    {
        // A reply whose call already timed out is dropped here: its id is no longer pending.
        if (_pending.TryGetValue(id, out var p)) p.Reply.TrySetResult(reply);
        else LogUnmatched(_log, id);
    }

    private void Close(Exception reason)
    {
        lock (_pending)
        {
            if (_closed.Task.IsCompleted) return;
            _closeReason = reason;
            _closed.TrySetResult();
        }
        LogClosed(_log, reason.Message);
        _greeting.TrySetException(Closed());
        _outgoing.Writer.TryComplete();
        foreach (var (_, p) in _pending) p.Reply.TrySetException(Closed());
        CompleteSubscribers();
    }
}
