using System.Text.Json;
using Infra.Ovsdb.Connection;
using Infra.Ovsdb.Monitor;
using Infra.Ovsdb.Transact;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Ovsdb.Client;

/// <summary>
/// A long-lived OVSDB client: keeps one <see cref="OvsdbConnection"/> up, reconnecting with
/// exponential backoff, and re-issues every registered monitor after each reconnect so its
/// replica is fully resynced (the server forgets monitors when a session ends). Calls made while
/// disconnected wait for the next session up to their timeout rather than failing at once; a call
/// in flight when the session drops fails with <see cref="OvsdbConnectionClosedException"/>,
/// because only the caller knows whether repeating it is safe.
/// </summary>
public sealed partial class OvsdbClient : IAsyncDisposable
{
    private readonly OvsdbClientOptions _options;
    private readonly OvsdbEndpoint _endpoint;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MonitorRegistration> _monitors = [];
    private readonly Dictionary<string, OvsdbSchema> _schemas = new(StringComparer.Ordinal);
    private TaskCompletionSource<OvsdbConnection> _current = NewTcs();
    private Task _loop = Task.CompletedTask;
    private int _monitorSeq;

    private sealed record MonitorRegistration(string Id, string Db, IReadOnlyDictionary<string, MonitorTable> Tables, bool Conditional, OvsdbReplica Replica);

    public OvsdbClient(OvsdbClientOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid OVSDB client options: " + string.Join(" ", errors), nameof(options));
        _options = options;
        _endpoint = OvsdbEndpoint.Parse(options.Endpoint);
        _log = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Sessions established so far (1 after the first connect).</summary>
    public int Sessions { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>The live connection, waiting (bounded by ct) while reconnecting.</summary>
    public async Task<OvsdbConnection> GetConnectionAsync(CancellationToken ct)
    {
        while (true)
        {
            var c = await Volatile.Read(ref _current).Task.WaitAsync(ct).ConfigureAwait(false);
            if (!c.IsClosed) return c;
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, ct).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> ListDbsAsync(CancellationToken ct, TimeSpan? timeout = null)
    {
        var r = await CallAsync("list_dbs", _ => { }, ct, timeout).ConfigureAwait(false);
        return r.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    public async Task<JsonElement> GetSchemaAsync(string db, CancellationToken ct, TimeSpan? timeout = null) =>
        await CallAsync("get_schema", w => w.WriteStringValue(db), ct, timeout).ConfigureAwait(false);

    /// <summary>Runs the operations as one atomic transaction; throws <see cref="OvsdbTransactionException"/> if any fails.</summary>
    public async Task<IReadOnlyList<OvsdbOperationResult>> TransactAsync(string db, IReadOnlyList<OvsdbOperation> ops, CancellationToken ct, TimeSpan? timeout = null)
    {
        var r = await CallAsync("transact", w =>
        {
            w.WriteStringValue(db);
            foreach (var op in ops) op.Write(w);
        }, ct, timeout).ConfigureAwait(false);
        return OvsdbOperationResult.ParseAll(r, ops.Count);
    }

    public async Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken ct, TimeSpan? timeout = null)
    {
        var t = timeout ?? _options.Connection.CallTimeout;
        using var deadline = new CancellationTokenSource(t, _time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        OvsdbConnection conn;
        try { conn = await GetConnectionAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"OVSDB {method}: no connection to {_endpoint} within {t}.");
        }
        return await conn.CallAsync(method, writeParams, ct, t).ConfigureAwait(false);
    }

    private static TaskCompletionSource<OvsdbConnection> NewTcs() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
