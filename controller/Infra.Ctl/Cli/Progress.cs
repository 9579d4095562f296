using Infra.Ctl.Output;

namespace Infra.Ctl.Cli;

/// <summary>
/// A one-line progress bar on stderr, redrawn with '\r' at most every 1% (or every 64 MiB when the total
/// is unknown) so a pipe or a log file gets a few dozen lines, not one per chunk.
/// </summary>
public sealed class Progress(TextWriter err, string label, bool enabled)
{
    const int Width = 30;
    int _lastPercent = -1;
    ulong _lastDone;

    public void Report(ulong done, ulong total)
    {
        if (!enabled) return;
        if (total > 0)
        {
            var percent = (int)Math.Min(100, done * 100 / total);
            if (percent == _lastPercent) return;
            _lastPercent = percent;
            var filled = percent * Width / 100;
            err.Write($"\r{label} [{new string('#', filled)}{new string(' ', Width - filled)}] {percent,3}% {Sizes.Bytes(done)}/{Sizes.Bytes(total)}");
        }
        else
        {
            if (done - _lastDone < 64UL << 20 && done != 0) return;
            _lastDone = done;
            err.Write($"\r{label} {Sizes.Bytes(done)}");
        }
        err.Flush();
    }

    public void Done()
    {
        if (enabled && (_lastPercent >= 0 || _lastDone > 0)) err.WriteLine();
    }
}
