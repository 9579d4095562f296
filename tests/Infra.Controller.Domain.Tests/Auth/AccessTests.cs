using Google.Rpc;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Tests.Auth;

/// <summary>The authorization decision as a table: every principal kind against every rule.</summary>
public sealed class AccessTests
{
    const string Method = "/infra.v1.Networks/CreateNetwork";

    static Principal? Who(string who) => who switch
    {
        "none" => null,
        "admin" => Principal.Admin("bootstrap"),
        "member" => Principal.Tenant("ten-a", TenantRole.Member, "cred-1"),
        "reader" => Principal.Tenant("ten-a", TenantRole.Reader, "cred-2"),
        "host" => Principal.Host("hv-1", "cert-1"),
        "replica" => Principal.Replica("c2", "cert-2"),
        _ => throw new ArgumentException(who),
    };

    // Expected: "allow", or the ErrorInfo reason of the refusal.
    [Theory]
    [InlineData("admin", AccessRule.AdminOnly, "allow")]
    [InlineData("member", AccessRule.AdminOnly, "ADMIN_ONLY")]
    [InlineData("reader", AccessRule.AdminOnly, "ADMIN_ONLY")]
    [InlineData("host", AccessRule.AdminOnly, "ADMIN_ONLY")]
    [InlineData("replica", AccessRule.AdminOnly, "ADMIN_ONLY")]
    [InlineData("admin", AccessRule.TenantRead, "allow")]
    [InlineData("member", AccessRule.TenantRead, "allow")]
    [InlineData("reader", AccessRule.TenantRead, "allow")]
    [InlineData("host", AccessRule.TenantRead, "TENANT_API")]
    [InlineData("replica", AccessRule.TenantRead, "TENANT_API")]
    [InlineData("admin", AccessRule.TenantWrite, "allow")]
    [InlineData("member", AccessRule.TenantWrite, "allow")]
    [InlineData("reader", AccessRule.TenantWrite, "READ_ONLY")]
    [InlineData("host", AccessRule.TenantWrite, "TENANT_API")]
    [InlineData("replica", AccessRule.TenantWrite, "TENANT_API")]
    [InlineData("host", AccessRule.HostOnly, "allow")]
    [InlineData("admin", AccessRule.HostOnly, "allow")] // until agents have certificates (Access.AdminOnSouthbound)
    [InlineData("member", AccessRule.HostOnly, "HOST_ONLY")]
    [InlineData("replica", AccessRule.HostOnly, "HOST_ONLY")]
    [InlineData("replica", AccessRule.ReplicaOnly, "allow")]
    [InlineData("admin", AccessRule.ReplicaOnly, "allow")] // until replicas have certificates
    [InlineData("member", AccessRule.ReplicaOnly, "REPLICA_ONLY")]
    [InlineData("host", AccessRule.ReplicaOnly, "REPLICA_ONLY")]
    [InlineData("none", AccessRule.Open, "allow")]
    [InlineData("reader", AccessRule.Open, "allow")]
    [InlineData("none", AccessRule.TenantRead, "UNAUTHENTICATED")]
    [InlineData("none", AccessRule.AdminOnly, "UNAUTHENTICATED")]
    public void Decide_PrincipalAgainstRule(string who, AccessRule rule, string expected)
    {
        var error = Access.Decide(Who(who), rule, Method);
        Assert.Equal(expected, error is null ? "allow" : Reason(error));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("member")]
    [InlineData("none")]
    public void Decide_MethodWithoutARule_IsRefusedForEveryone(string who)
    {
        var error = Assert.IsType<PermissionDenied>(Access.Decide(Who(who), null, "/infra.v1.Credentials/CreateCredential"));
        Assert.Equal("NO_RULE", error.Reason);
        Assert.Contains("MethodRules", error.Message);
    }

    [Fact]
    public void Refusal_NamesThePrincipalAndTheMethod_AndMapsToPermissionDenied()
    {
        var error = Access.Decide(Who("reader"), AccessRule.TenantWrite, Method)!;
        Assert.StartsWith("tenant:ten-a (reader) may not call /infra.v1.Networks/CreateNetwork: ", error.Message);
        var status = StatusMapping.ToStatus(error);
        Assert.Equal(StatusCodes.PermissionDenied, status.Code);
        var info = status.DecodeDetails().Details.Single().Unpack<ErrorInfo>();
        Assert.Equal(Method, info.Metadata["method"]);
        Assert.Equal("tenant:ten-a (reader)", info.Metadata["principal"]);
    }

    static string Reason(DomainError e) => StatusMapping.ToStatus(e).DecodeDetails().Details.Single().Unpack<ErrorInfo>().Reason;
}
