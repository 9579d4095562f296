namespace Infra.Ovsdb.Codec;

/// <summary>The peer sent JSON that is not valid OVSDB; the connection cannot continue.</summary>
public sealed class OvsdbFormatException(string message) : Exception(message);
