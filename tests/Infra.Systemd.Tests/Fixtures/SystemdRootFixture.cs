using System.Runtime.InteropServices;
using Infra.Systemd.Manager;

namespace Infra.Systemd.Tests.Fixtures;

/// <summary>
/// One booted root for the whole "systemd" collection (booting costs seconds, building the cache
/// minutes once). The .NET runtime and this test output are bind-mounted read-only so units inside
/// can run <c>NotifyHelper</c>.
/// </summary>
public sealed class SystemdRootFixture : IAsyncLifetime
{
    public const string RuntimeInRoot = "/opt/infra-dotnet";
    public const string TestBinInRoot = "/opt/infra-test";

    public SystemdRoot Root { get; private set; } = null!;
    public SystemdManager Manager { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "../../.."));
        Root = await Task.Run(() => new SystemdRoot([(dotnetRoot, RuntimeInRoot), (AppContext.BaseDirectory, TestBinInRoot)]));
        Manager = await SystemdManager.ConnectAsync(Root.BusAddress);
        await Manager.SubscribeAsync();
    }

    public async Task DisposeAsync()
    {
        if (Manager is not null) await Manager.DisposeAsync();
        Root?.Dispose();
    }
}

[CollectionDefinition("systemd")]
public sealed class SystemdCollection : ICollectionFixture<SystemdRootFixture> { }
