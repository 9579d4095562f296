namespace Infra.Grpc.Interop.Tests.Support;

/// <summary>One shipped server shared by a test class.</summary>
public class ShippedServerFixture : IAsyncLifetime
{
    public ShippedServer Server { get; private set; } = null!;
    protected virtual bool Tls => false;
    public async Task InitializeAsync() => Server = await ShippedServer.StartAsync(tls: Tls);
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ShippedTlsServerFixture : ShippedServerFixture
{
    protected override bool Tls => true;
}
