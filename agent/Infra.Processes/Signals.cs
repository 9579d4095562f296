using System.Runtime.InteropServices;

namespace Infra.Processes;

/// <summary>What kill(2) said.</summary>
public enum SignalResult
{
    Sent,
    /// <summary>ESRCH: no such process (already gone, or reaped).</summary>
    NoSuchProcess,
    /// <summary>EPERM: the process exists but belongs to someone we may not signal.</summary>
    NotPermitted,
}

/// <summary>The one place that calls kill(2).</summary>
public static class Signals
{
    public const int Term = 15;
    public const int Kill = 9;

    private const int Esrch = 3;
    private const int Eperm = 1;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> and says how it went.</summary>
    public static SignalResult Send(int pid, int signal)
    {
        // pid 0 and negative PIDs address process groups: never what a caller holding one PID means.
        if (pid <= 0) return SignalResult.NoSuchProcess;
        if (NativeKill(pid, signal) == 0) return SignalResult.Sent;
        return Marshal.GetLastPInvokeError() switch
        {
            Esrch => SignalResult.NoSuchProcess,
            Eperm => SignalResult.NotPermitted,
            var errno => throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {errno}"),
        };
    }

    /// <summary>True when the signal was delivered.</summary>
    public static bool TrySend(int pid, int signal) => Send(pid, signal) == SignalResult.Sent;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int sig);
}
