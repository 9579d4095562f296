using System.Diagnostics;
using Infra.Processes;

namespace Infra.Agent.Storage.Processes;

/// <summary>Starts daemons as children of this process. They die with the agent: fine for tests and dev.</summary>
public sealed class ChildProcessLauncher : IProcessLauncher
{
    public Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(spec.FileName) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {spec.FileName} for {spec.Name}");
        return Task.FromResult<IManagedProcess>(new Child(p));
    }

    private sealed class Child : IManagedProcess
    {
        private readonly Process _p;
        private readonly Queue<string> _tail = new();

        public Child(Process p)
        {
            _p = p;
            p.ErrorDataReceived += (_, e) => Remember(e.Data);
            p.OutputDataReceived += (_, e) => Remember(e.Data);
            p.BeginErrorReadLine(); p.BeginOutputReadLine();
        }

        private void Remember(string? line)
        {
            if (line is null) return;
            lock (_tail) { _tail.Enqueue(line); while (_tail.Count > 20) _tail.Dequeue(); }
        }

        public int Pid => _p.Id;
        // After Dispose the process has been reaped (StopAsync waited for it), so it has exited.
        public bool HasExited => _disposed || _p.HasExited;
        private bool _disposed;
        public string StderrTail { get { lock (_tail) return string.Join('\n', _tail); } }

        public async Task<int> WaitForExitAsync(CancellationToken ct = default)
        {
            await _p.WaitForExitAsync(ct).ConfigureAwait(false);
            return _p.ExitCode;
        }

        public async Task StopAsync(TimeSpan grace, CancellationToken ct = default)
        {
            if (_p.HasExited) return;
            _ = Signals.Send(_p.Id, Signals.Term);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(grace);
            try { await _p.WaitForExitAsync(timer.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                _p.Kill();
                await _p.WaitForExitAsync(ct).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed) return;
            try { await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } catch (InvalidOperationException) { }
            _disposed = true;
            _p.Dispose();
        }
    }
}
