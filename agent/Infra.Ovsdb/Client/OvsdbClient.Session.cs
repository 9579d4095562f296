using Infra.Ovsdb.Connection;

namespace Infra.Ovsdb.Client;

public sealed partial class OvsdbClient
{
    /// <summary>Connect, resync monitors, publish the connection, wait for it to die, back off, repeat.</summary>
    private async Task RunAsync()
    {
        var backoff = _options.MinBackoff;
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            OvsdbConnection? conn = null;
            try
            {
                conn = await OvsdbConnection.ConnectAsync(_endpoint, _options.Connection, OnNotification, _log, _time, ct).ConfigureAwait(false);
                MonitorRegistration[] regs;
                lock (_monitors) regs = _monitors.ToArray();
                foreach (var reg in regs) await SendMonitorAsync(conn, reg, ct).ConfigureAwait(false);
                Sessions++;
                LogConnected(_log, _endpoint.ToString(), Sessions);
                backoff = _options.MinBackoff;
                _current.TrySetResult(conn);
                await conn.Completion.WaitAsync(ct).ConfigureAwait(false);
                // Later callers wait for the next session instead of grabbing the dead one.
                Volatile.Write(ref _current, NewTcs());
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception ex)
            {
                LogConnectFailed(_log, _endpoint.ToString(), ex.Message, backoff);
                if (_current.Task.IsCompleted) Volatile.Write(ref _current, NewTcs());
                try { await Task.Delay(backoff, _time, ct).ConfigureAwait(false); } catch (OperationCanceledException) { }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
            finally
            {
                if (conn is not null) await conn.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); } catch { /* reported by logs */ }
        _stop.Dispose();
    }
}
