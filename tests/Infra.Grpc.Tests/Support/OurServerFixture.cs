namespace Infra.Grpc.Tests.Support;

/// <summary>One of our servers shared by a test class.</summary>
public class OurServerFixture : IAsyncLifetime
{
    public GrpcTestServer Server { get; private set; } = null!;
    protected virtual bool Tls => false;
    public async Task InitializeAsync() => Server = await GrpcTestServer.StartAsync(tls: Tls);
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class OurTlsServerFixture : OurServerFixture
{
    protected override bool Tls => true;
}
