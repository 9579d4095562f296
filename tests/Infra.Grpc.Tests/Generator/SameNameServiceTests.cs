using Infra.Grpc.Tests.SameName;

namespace Infra.Grpc.Tests.Generator;

public sealed class SameNameServiceTests
{
    private sealed class Impl : Watch.WatchBase { }

    [Fact]
    public void ServiceWithRpcOfTheSameName_GeneratesABaseThatDescribesTheService()
    {
        var implType = typeof(Impl);
        Assert.Equal("samename.Watch", Watch.Descriptor.FullName);
        Assert.Equal("Watch", Watch.WatchMethod.Name);
        Assert.True(typeof(Infra.Grpc.IGrpcService).IsAssignableFrom(implType));
    }
}
