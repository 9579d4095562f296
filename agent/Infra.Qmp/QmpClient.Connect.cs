using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Qmp;

public sealed partial class QmpClient
{
    /// <summary>Connects to a unix socket, reads the greeting and negotiates capabilities.</summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, QmpClientOptions? options = null,
        ILogger? logger = null, CancellationToken ct = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false); }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new QmpConnectionClosedException($"cannot connect to QMP socket {socketPath}: {e.Message}; is the process running?", e);
        }
        return await ConnectAsync(new NetworkStream(socket, ownsSocket: true), options, logger, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects to a process that is still starting: retries while the socket is missing or not yet
    /// listening (qemu binds the path a moment before it listens), up to the wait.
    /// </summary>
    public static async Task<QmpClient> WaitAndConnectAsync(string socketPath, TimeSpan wait, QmpClientOptions? options = null,
        ILogger? logger = null, CancellationToken ct = default)
    {
        var time = options?.TimeProvider ?? TimeProvider.System;
        var start = time.GetTimestamp();
        while (true)
        {
            try { return await ConnectAsync(socketPath, options, logger, ct).ConfigureAwait(false); }
            catch (QmpConnectionClosedException e) when (e.InnerException is SocketException
                { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported }
                || !File.Exists(socketPath))
            {
                if (time.GetElapsedTime(start) > wait) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the protocol over any duplex stream (a socket, or an in-memory pair in tests).</summary>
    public static async Task<QmpClient> ConnectAsync(Stream stream, QmpClientOptions? options = null,
        ILogger? logger = null, CancellationToken ct = default)
    {
        options ??= new QmpClientOptions();
        var client = new QmpClient(stream, options, logger ?? NullLogger.Instance);
        client._readLoop = Task.Run(client.ReadLoopAsync);
        client._writeLoop = Task.Run(client.WriteLoopAsync);
        try
        {
            using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                client.Greeting = await client._greeting.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                await client.ExecuteAsync("qmp_capabilities", null, options.ConnectTimeout, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new QmpTimeoutException("greeting/qmp_capabilities", options.ConnectTimeout);
            }
            LogConnected(client._log, client.Greeting.Version);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
