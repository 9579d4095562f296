namespace Infra.Agent.Compute.Console;

/// <summary>The VM's console is not connected (qemu not running, or not reached yet).</summary>
public sealed class ConsoleUnavailableException(string message) : InvalidOperationException(message);

/// <summary>Input from a session that is not the console's writer.</summary>
public sealed class ConsoleReadOnlyException(string message) : InvalidOperationException(message);
