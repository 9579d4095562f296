using Infra.Grpc.Interop.Tests.Shared;
using Infra.Grpc.Interop.Tests.Support;
using Infra.Grpc.Interop.Tests.V1;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infra.Grpc.Interop.Tests;

/// <summary>A service whose messages come from another .proto file, package and C# namespace, and a
/// service registered without DI (built per call), on the shipped server: generated code and reflection cope with both.</summary>
public sealed class CrossFileServiceTests : IAsyncLifetime
{
    WebApplication _app = null!;
    GrpcChannel _channel = null!;

    sealed class MirrorService : Mirror.MirrorBase
    {
        public override Task<Thing> Reflect(Thing request, ServerCallContext context) =>
            Task.FromResult(new Thing { Name = new string(request.Name.Reverse().ToArray()), Kind = request.Kind });

        public override async Task Parts(Thing request, IServerStreamWriter<Thing.Types.Part> responseStream, ServerCallContext context)
        {
            foreach (var p in request.Parts) await responseStream.WriteAsync(p);
        }
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        GrpcServer.Add(builder, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), null, new BearerTokenAuth(new HashSet<string>(), allowNoAuth: true));
        _app = builder.Build();
        _app.MapGrpcService<MirrorService>(); // not registered in DI on purpose
        GrpcServer.Map(_app);
        await _app.StartAsync();
        _channel = GrpcChannel.ForAddress(_app.Urls.First());
    }

    [Fact]
    public async Task Unary_WithMessagesFromAnotherPackage_Works()
    {
        var reply = await new Mirror.MirrorClient(_channel).ReflectAsync(new Thing { Name = "abc", Kind = Thing.Types.Kind.Big }, new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30)));
        Assert.Equal("cba", reply.Name);
        Assert.Equal(Thing.Types.Kind.Big, reply.Kind);
    }

    [Fact]
    public async Task ServerStream_OfNestedMessageType_Works()
    {
        var request = new Thing { Parts = { new Thing.Types.Part { Size = 1 }, new Thing.Types.Part { Size = 2 } } };
        using var call = new Mirror.MirrorClient(_channel).Parts(request, new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30)));
        var sizes = new List<int>();
        await foreach (var p in call.ResponseStream.ReadAllAsync()) sizes.Add(p.Size);
        Assert.Equal(new[] { 1, 2 }, sizes);
    }

    [Fact]
    public async Task Reflection_FileContainingService_IncludesImportedFile()
    {
        var client = new global::Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(_channel);
        using var call = client.ServerReflectionInfo(new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30)));
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = "infra.grpctest.v1.Mirror.Reflect" });
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = "infra.grpctest.shared.Thing.Part" });
        await call.RequestStream.CompleteAsync();
        var names = new List<string[]>();
        await foreach (var r in call.ResponseStream.ReadAllAsync())
            names.Add(r.FileDescriptorResponse.FileDescriptorProto.Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray());
        Assert.Equal(new[] { "mirror.proto", "shared/things.proto" }, names[0]);
        Assert.Equal(new[] { "shared/things.proto" }, names[1]);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
