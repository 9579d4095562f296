using Grpc.Core;

namespace Infra.Ctl.Transport;

/// <summary>
/// Names the RPC a client call would make without making it: the generated client hands its method
/// descriptor to the CallInvoker, which records "/package.Service/Method" and stops the call. infractl
/// lists the RPCs its commands cover this way (a test checks every northbound RPC has a command).
/// </summary>
public sealed class MethodRecorder : CallInvoker
{
    static readonly ControllerClients Clients = new(new MethodRecorder());

    public static string NameOf(Action<ControllerClients> call)
    {
        try { call(Clients); }
        catch (Recorded r) { return r.Method; }
        throw new InvalidOperationException("the call made no RPC");
    }

    sealed class Recorded(string method) : Exception(method)
    {
        public string Method { get; } = method;
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new Recorded(method.FullName);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new Recorded(method.FullName);

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new Recorded(method.FullName);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new Recorded(method.FullName);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new Recorded(method.FullName);
}
