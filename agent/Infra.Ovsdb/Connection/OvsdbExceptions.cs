using System.Text.Json;

namespace Infra.Ovsdb.Connection;

/// <summary>The connection closed (peer gone, protocol error, keepalive timeout or Dispose) before the call completed.</summary>
public sealed class OvsdbConnectionClosedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server answered a call with a JSON-RPC error object.</summary>
public sealed class OvsdbRpcException(string method, JsonElement error)
    : Exception($"OVSDB {method} failed: {error.GetRawText()}")
{
    public JsonElement Error { get; } = error;
}

/// <summary>A transaction was rejected; <see cref="Details"/> is the first failing operation's error and details.</summary>
public sealed class OvsdbTransactionException(string message, string error, string? details) : Exception(message)
{
    public string ErrorCode { get; } = error;
    public string? Details { get; } = details;
}
