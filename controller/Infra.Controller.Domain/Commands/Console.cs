namespace Infra.Controller.Domain.Commands;

/// <summary>How a console session uses input (infra.v1.ConsoleAccess; UNSPECIFIED is Write).</summary>
public enum ConsoleAccessMode { Write, ReadOnly, Takeover }

/// <summary>Open an instance's console; replay up to TailBytes of recent output first.</summary>
public sealed record OpenConsole(string InstanceId, ConsoleAccessMode Access, int TailBytes);

/// <summary>The last TailBytes of an instance's console log.</summary>
public sealed record GetConsoleLog(string InstanceId, int TailBytes);
