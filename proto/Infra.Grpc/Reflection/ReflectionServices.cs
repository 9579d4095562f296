using Infra.Grpc.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using V1 = Infra.Grpc.Reflection.V1;
using V1Alpha = Infra.Grpc.Reflection.V1Alpha;

namespace Infra.Grpc.Reflection;

/// <summary>grpc.reflection.v1.ServerReflection over the services mapped on this server.</summary>
public sealed class ReflectionServiceV1(GrpcServiceRegistry registry) : V1.ServerReflection.ServerReflectionBase
{
    ReflectionIndex? _index;

    public override async Task ServerReflectionInfo(IAsyncStreamReader<V1.ServerReflectionRequest> requestStream,
        IServerStreamWriter<V1.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var index = _index ??= new ReflectionIndex(registry.Services);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            var response = new V1.ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
            IReadOnlyList<Google.Protobuf.ByteString>? files = null;
            switch (request.MessageRequestCase)
            {
                case V1.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                    response.ListServicesResponse = new V1.ListServiceResponse();
                    foreach (var s in index.Services) response.ListServicesResponse.Service.Add(new V1.ServiceResponse { Name = s });
                    break;
                case V1.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                    files = index.FileByName(request.FileByFilename);
                    if (files is null) response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = $"File '{request.FileByFilename}' not found." };
                    break;
                case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                    files = index.FileContainingSymbol(request.FileContainingSymbol);
                    if (files is null) response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = $"Symbol '{request.FileContainingSymbol}' not found." };
                    break;
                default:
                    response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)StatusCode.Unimplemented, ErrorMessage = $"Reflection request '{request.MessageRequestCase}' is not supported (no extensions in proto3)." };
                    break;
            }
            if (files is not null)
            {
                response.FileDescriptorResponse = new V1.FileDescriptorResponse();
                response.FileDescriptorResponse.FileDescriptorProto.AddRange(files);
            }
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>grpc.reflection.v1alpha.ServerReflection: same messages on the wire, older package name
/// (grpcurl and older grpcio tools still ask this one). Translated through the v1 implementation.</summary>
public sealed class ReflectionServiceV1Alpha(GrpcServiceRegistry registry) : V1Alpha.ServerReflection.ServerReflectionBase
{
    readonly ReflectionServiceV1 _v1 = new(registry);

    public override Task ServerReflectionInfo(IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requestStream,
        IServerStreamWriter<V1Alpha.ServerReflectionResponse> responseStream, ServerCallContext context) =>
        _v1.ServerReflectionInfo(new Translating<V1Alpha.ServerReflectionRequest, V1.ServerReflectionRequest>(requestStream, V1.ServerReflectionRequest.Parser),
            new TranslatingWriter(responseStream), context);

    // The two versions are wire-identical, so translation is re-parsing the bytes.
    sealed class Translating<TFrom, TTo>(IAsyncStreamReader<TFrom> inner, Google.Protobuf.MessageParser<TTo> parser) : IAsyncStreamReader<TTo>
        where TFrom : Google.Protobuf.IMessage where TTo : Google.Protobuf.IMessage<TTo>
    {
        public TTo Current { get; private set; } = default!;
        public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
        {
            if (!await inner.MoveNext(cancellationToken).ConfigureAwait(false)) return false;
            Current = parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(inner.Current));
            return true;
        }
    }

    sealed class TranslatingWriter(IServerStreamWriter<V1Alpha.ServerReflectionResponse> inner) : IServerStreamWriter<V1.ServerReflectionResponse>
    {
        public Task WriteAsync(V1.ServerReflectionResponse message, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message)), cancellationToken);
    }
}

public static class ReflectionServiceExtensions
{
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services)
    {
        services.TryAddSingleton<ReflectionServiceV1>();
        services.TryAddSingleton<ReflectionServiceV1Alpha>();
        return services;
    }

    /// <summary>Maps both reflection versions; map them after your own services (the index is built on first use).</summary>
    public static IEndpointRouteBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ReflectionServiceV1>();
        return endpoints.MapGrpcService<ReflectionServiceV1Alpha>();
    }
}
