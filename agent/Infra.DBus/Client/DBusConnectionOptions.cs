using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.DBus.Client;

/// <summary>How to reach and talk to a bus. <see cref="Address"/> is a D-Bus address string.</summary>
public sealed record DBusConnectionOptions
{
    public required string Address { get; init; }

    /// <summary>Ask the server for unix fd passing during auth; the outcome is in <see cref="DBusConnection.UnixFdsNegotiated"/>.</summary>
    public bool NegotiateUnixFds { get; init; }

    /// <summary>Timeout of a call that does not pass its own (libdbus uses 25 s too).</summary>
    public TimeSpan DefaultCallTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Bound on socket connect + SASL + Hello.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Clock for call timeouts; tests may pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public static DBusConnectionOptions SystemBus() => new() { Address = Transport.DBusAddress.SystemBus() };
}
