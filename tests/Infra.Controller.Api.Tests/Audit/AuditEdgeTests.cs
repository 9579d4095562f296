using Grpc.Core;
using Infra.Controller.Api.Audit;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;
using Infra.Store.Sqlite;
using Infra.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Controller.Api.Tests.Audit;

/// <summary>What the in-process server cannot be made to do today: a tenant principal (only admins
/// authenticate until tenant credentials exist) and a store that refuses the audit write.</summary>
public sealed class AuditEdgeTests : IAsyncDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("infra-audit-").FullName;
    readonly SqliteStore _store;

    public AuditEdgeTests() => _store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "state.db")));

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(TenantRole.Member)]
    [InlineData(TenantRole.Reader)]
    public async Task ListAuditRecords_ByATenant_IsPermissionDenied(TenantRole role)
    {
        var context = new Call("/infra.v1.Audit/ListAuditRecords");
        CallPrincipal.Set(context, Principal.Tenant("ten-aaaaaaaaaaaaaaaa", role, "cred-1"));
        var e = await Assert.ThrowsAsync<RpcException>(() => new AuditService(new AuditTrail(_store)).ListAuditRecords(new ListAuditRecordsRequest(), context));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("admin", e.Status.Detail);
    }

    [Fact]
    public async Task FailedAuditWrite_DoesNotFailTheCall_AndIsLogged()
    {
        var dead = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "dead.db")));
        await dead.DisposeAsync();
        var log = new Captured();
        var interceptor = new AuditInterceptor(new AuditTrail(dead), TimeProvider.System, log);
        var context = new Call("/infra.v1.Tenants/CreateTenant");
        CallPrincipal.Set(context, Principal.Admin("bootstrap"));

        var tenant = await interceptor.UnaryServerHandler(new CreateTenantRequest { Name = "acme" }, context,
            (_, _) => Task.FromResult(new Tenant { Meta = new ObjectMeta { Id = "ten-1" } }));

        Assert.Equal("ten-1", tenant.Meta.Id);
        var line = Assert.Single(log.Lines);
        Assert.Contains("/infra.v1.Tenants/CreateTenant by admin (OK) was not written", line);
    }

    [Fact]
    public async Task CallWithoutAPrincipal_IsNotRecorded()
    {
        var trail = new AuditTrail(_store);
        var interceptor = new AuditInterceptor(trail, TimeProvider.System, NullLogger<AuditInterceptor>.Instance);
        await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<CreateTenantRequest, Tenant>(new CreateTenantRequest(), new Call("/infra.v1.Tenants/CreateTenant"),
            (_, _) => throw new RpcException(new Status(StatusCode.Unauthenticated, "no token"))));
        var (records, _) = await trail.ListAsync(Domain.Validation.AuditValidation.Validate(new ListAuditRecordsRequest()).Value, default);
        Assert.Empty(records);
    }

    sealed class Captured : ILogger<AuditInterceptor>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    /// <summary>The parts of a server call the audit code reads.</summary>
    sealed class Call(string method) : ServerCallContext
    {
        protected override string MethodCore => method;
        protected override string HostCore => "127.0.0.1";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);
        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
