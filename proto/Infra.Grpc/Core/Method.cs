using Google.Protobuf;

namespace Infra.Grpc;

public enum MethodType { Unary, ClientStreaming, ServerStreaming, DuplexStreaming }

/// <summary>
/// One RPC: its kind, its path "/package.Service/Method" and the parsers of its messages.
/// Generated code holds one static instance per RPC; clients and servers share it.
/// </summary>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public Method(MethodType type, string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    public MethodType Type { get; }
    public string ServiceName { get; }
    public string Name { get; }
    /// <summary>The HTTP/2 :path, "/package.Service/Method".</summary>
    public string FullName { get; }
    public MessageParser<TRequest> RequestParser { get; }
    public MessageParser<TResponse> ResponseParser { get; }

    public override string ToString() => FullName;
}
