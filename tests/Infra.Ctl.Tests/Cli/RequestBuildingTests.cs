using Google.Protobuf;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;

namespace Infra.Ctl.Tests.Cli;

/// <summary>Every command line -> the exact request message it sends (expected as protobuf JSON, ' for ").</summary>
public sealed class RequestBuildingTests
{
    [Theory]
    // tenants
    [InlineData("tenant create acme --label env=prod --label team=net", "CreateTenantRequest", "{'requestId':'req-1','name':'acme','labels':{'env':'prod','team':'net'}}")]
    [InlineData("tenant create acme --request-id mine", "CreateTenantRequest", "{'requestId':'mine','name':'acme'}")]
    [InlineData("tenant get ten-1", "GetTenantRequest", "{'id':'ten-1'}")]
    [InlineData("tenant list --page-size 5 --page-token abc --selector env=prod", "ListTenantsRequest", "{'page':{'pageSize':5,'pageToken':'abc'},'labelSelector':{'env':'prod'}}")]
    [InlineData("tenant list", "ListTenantsRequest", "{}")]
    [InlineData("tenant update ten-1 --label a=b --expected-revision 7", "UpdateTenantRequest", "{'id':'ten-1','labels':{'a':'b'},'expectedRevision':'7'}")]
    [InlineData("tenant update ten-1 --clear-labels", "UpdateTenantRequest", "{'id':'ten-1'}")]
    [InlineData("tenant delete ten-1", "DeleteTenantRequest", "{'id':'ten-1'}")]
    // networks
    [InlineData("network create --tenant t --name n --subnet 10.0.0.0/24,gateway=10.0.0.1", "CreateNetworkRequest",
        "{'requestId':'req-1','tenantId':'t','name':'n','subnets':[{'cidr':'10.0.0.0/24','gateway':'10.0.0.1'}]}")]
    [InlineData("network create -t t -n n --subnet 10.0.0.0/24,dns=1.1.1.1;9.9.9.9,range=10.0.0.10-10.0.0.20 --subnet fd00:1::/64 --mtu 1400", "CreateNetworkRequest",
        "{'requestId':'req-1','tenantId':'t','name':'n','mtu':1400,'subnets':[{'cidr':'10.0.0.0/24','dnsServers':['1.1.1.1','9.9.9.9'],'allocationRanges':[{'first':'10.0.0.10','last':'10.0.0.20'}]},{'cidr':'fd00:1::/64'}]}")]
    [InlineData("network get net-1", "GetNetworkRequest", "{'id':'net-1'}")]
    [InlineData("network list --tenant t", "ListNetworksRequest", "{'tenantId':'t'}")]
    [InlineData("network update net-1 --add-subnet 10.1.0.0/24 --expected-revision 3", "UpdateNetworkRequest", "{'id':'net-1','addSubnets':[{'cidr':'10.1.0.0/24'}],'expectedRevision':'3'}")]
    [InlineData("network update net-1 --label a=b", "UpdateNetworkRequest", "{'id':'net-1','labels':{'a':'b'},'setLabels':true}")]
    [InlineData("network update net-1 --clear-labels", "UpdateNetworkRequest", "{'id':'net-1','setLabels':true}")]
    [InlineData("network delete net-1", "DeleteNetworkRequest", "{'id':'net-1'}")]
    [InlineData("network allocations net-1 --page-size 10", "ListAllocationsRequest", "{'networkId':'net-1','page':{'pageSize':10}}")]
    // policies
    [InlineData("policy create -t t -n web --description front --rule direction=ingress,protocol=tcp,ports=80-443,cidr=0.0.0.0/0 --rule direction=egress", "CreatePolicyRequest",
        "{'requestId':'req-1','tenantId':'t','name':'web','description':'front','rules':[{'direction':'DIRECTION_INGRESS','protocol':'PROTOCOL_TCP','portMin':80,'portMax':443,'remoteCidr':'0.0.0.0/0'},{'direction':'DIRECTION_EGRESS'}]}")]
    [InlineData("policy create -t t -n p --rule direction=ingress,protocol=icmpv6,ip-version=6,remote-policy=pol-2", "CreatePolicyRequest",
        "{'requestId':'req-1','tenantId':'t','name':'p','rules':[{'direction':'DIRECTION_INGRESS','protocol':'PROTOCOL_ICMPV6','ipVersion':'IP_VERSION_6','remotePolicyId':'pol-2'}]}")]
    [InlineData("policy get pol-1", "GetPolicyRequest", "{'id':'pol-1'}")]
    [InlineData("policy list --tenant t", "ListPoliciesRequest", "{'tenantId':'t'}")]
    [InlineData("policy update pol-1 --rule direction=ingress,protocol=udp,ports=53 --description dns --expected-revision 4", "UpdatePolicyRequest",
        "{'id':'pol-1','rules':[{'direction':'DIRECTION_INGRESS','protocol':'PROTOCOL_UDP','portMin':53,'portMax':53}],'description':'dns','setDescription':true,'expectedRevision':'4'}")]
    [InlineData("policy update pol-1 --no-rules", "UpdatePolicyRequest", "{'id':'pol-1'}")]
    [InlineData("policy delete pol-1", "DeletePolicyRequest", "{'id':'pol-1'}")]
    // ports
    [InlineData("port create --network net-1 --name eth --mac 02:00:00:00:00:01 --fixed-ip 10.0.0.0/24=10.0.0.5 --fixed-ip fd00::5 --policy p1 --policy p2", "CreatePortRequest",
        "{'requestId':'req-1','networkId':'net-1','name':'eth','macAddress':'02:00:00:00:00:01','fixedIps':[{'subnetCidr':'10.0.0.0/24','address':'10.0.0.5'},{'address':'fd00::5'}],'policyIds':['p1','p2']}")]
    [InlineData("port get prt-1", "GetPortRequest", "{'id':'prt-1'}")]
    [InlineData("port list --network net-1 --instance i-1", "ListPortsRequest", "{'networkId':'net-1','instanceId':'i-1'}")]
    [InlineData("port update prt-1 --policy p3", "UpdatePortRequest", "{'id':'prt-1','policyIds':['p3'],'setPolicies':true}")]
    [InlineData("port update prt-1 --no-policies --label a=b", "UpdatePortRequest", "{'id':'prt-1','setPolicies':true,'labels':{'a':'b'},'setLabels':true}")]
    [InlineData("port delete prt-1", "DeletePortRequest", "{'id':'prt-1'}")]
    // instances
    [InlineData("instance create -t t -n vm --vcpus 2 --cpu-mhz 1500 --memory 2G --image img-1 --network net-1 --network net-2,ip=10.0.0.9,policy=p9 --policy p1 --affinity-group g", "CreateInstanceRequest",
        "{'requestId':'req-1','tenantId':'t','name':'vm','vcpus':2,'cpuMhz':1500,'memoryMib':'2048','boot':{'imageId':'img-1','deleteOnTermination':true},'ports':[{'networkId':'net-1','policyIds':['p1']},{'networkId':'net-2','policyIds':['p9'],'fixedIps':[{'address':'10.0.0.9'}]}],'affinityGroup':'g'}")]
    [InlineData("instance create -t t -n vm --vcpus 1 --cpu-mhz 500 --memory 512 --boot-volume vol-1 --keep-boot-volume --port prt-1 --volume vol-2 --anti-affinity-group a --no-start", "CreateInstanceRequest",
        "{'requestId':'req-1','tenantId':'t','name':'vm','vcpus':1,'cpuMhz':500,'memoryMib':'512','boot':{'volumeId':'vol-1'},'volumeIds':['vol-2'],'ports':[{'portId':'prt-1'}],'antiAffinityGroup':'a','start':false}")]
    [InlineData("instance create -t t -n vm --vcpus 1 --cpu-mhz 500 --memory 1G --image img-1 --boot-size 20", "CreateInstanceRequest",
        "{'requestId':'req-1','tenantId':'t','name':'vm','vcpus':1,'cpuMhz':500,'memoryMib':'1024','boot':{'imageId':'img-1','sizeGib':'20','deleteOnTermination':true}}")]
    [InlineData("instance get i-1", "GetInstanceRequest", "{'id':'i-1'}")]
    [InlineData("instance list --host h-1", "ListInstancesRequest", "{'hostId':'h-1'}")]
    [InlineData("instance start i-1", "InstanceActionRequest", "{'id':'i-1'}")]
    [InlineData("instance stop i-1 --force --grace 30", "StopInstanceRequest", "{'id':'i-1','force':true,'timeoutSeconds':30}")]
    [InlineData("instance reboot i-1 --force", "RebootInstanceRequest", "{'id':'i-1','force':true}")]
    [InlineData("instance pause i-1", "InstanceActionRequest", "{'id':'i-1'}")]
    [InlineData("instance resume i-1", "InstanceActionRequest", "{'id':'i-1'}")]
    [InlineData("instance resize i-1 --cpu-mhz 3000 --memory 4096", "ResizeInstanceRequest", "{'id':'i-1','cpuMhz':3000,'memoryMib':'4096'}")]
    [InlineData("instance attach-volume i-1 vol-2", "AttachVolumeRequest", "{'id':'i-1','volumeId':'vol-2'}")]
    [InlineData("instance detach-volume i-1 vol-2", "DetachVolumeRequest", "{'id':'i-1','volumeId':'vol-2'}")]
    [InlineData("instance snapshot i-1 --name nightly --require-quiesce", "SnapshotInstanceRequest", "{'id':'i-1','name':'nightly','requireQuiesce':true,'requestId':'req-1'}")]
    [InlineData("instance console i-1", "ConsoleRequest", "{'open':{'instanceId':'i-1','access':'CONSOLE_ACCESS_WRITE'}}")]
    [InlineData("instance console i-1 --read-only --tail 4", "ConsoleRequest", "{'open':{'instanceId':'i-1','access':'CONSOLE_ACCESS_READ_ONLY','tailBytes':4096}}")]
    [InlineData("instance console i-1 --takeover", "ConsoleRequest", "{'open':{'instanceId':'i-1','access':'CONSOLE_ACCESS_TAKEOVER'}}")]
    [InlineData("instance log i-1", "GetConsoleLogRequest", "{'instanceId':'i-1'}")]
    [InlineData("instance log i-1 --tail 1024", "GetConsoleLogRequest", "{'instanceId':'i-1','tailBytes':1048576}")]
    [InlineData("instance delete i-1 --delete-boot-volume", "DeleteInstanceRequest", "{'id':'i-1','deleteBootVolume':true}")]
    // volumes and snapshots
    [InlineData("volume create -t t -n data --size 10", "CreateVolumeRequest", "{'requestId':'req-1','tenantId':'t','name':'data','sizeGib':'10'}")]
    [InlineData("volume create -t t -n data --image img-1 --pool fast --format raw", "CreateVolumeRequest",
        "{'requestId':'req-1','tenantId':'t','name':'data','imageId':'img-1','backend':{'local':{'pool':'fast','format':'DISK_FORMAT_RAW'}}}")]
    [InlineData("volume create -t t -n data --snapshot snap-1 --nbd nbd://192.0.2.1:10809/x", "CreateVolumeRequest",
        "{'requestId':'req-1','tenantId':'t','name':'data','snapshotId':'snap-1','backend':{'nbd':{'uri':'nbd://192.0.2.1:10809/x'}}}")]
    [InlineData("volume get vol-1", "GetVolumeRequest", "{'id':'vol-1'}")]
    [InlineData("volume list -t t", "ListVolumesRequest", "{'tenantId':'t'}")]
    [InlineData("volume resize vol-1 --size 20", "ResizeVolumeRequest", "{'id':'vol-1','sizeGib':'20'}")]
    [InlineData("volume delete vol-1 --cascade", "DeleteVolumeRequest", "{'id':'vol-1','cascade':true}")]
    [InlineData("volume snapshot create vol-1 --name s1", "CreateSnapshotRequest", "{'requestId':'req-1','volumeId':'vol-1','name':'s1'}")]
    [InlineData("volume snapshot list --volume vol-1", "ListSnapshotsRequest", "{'volumeId':'vol-1'}")]
    [InlineData("volume snapshot get snap-1", "GetSnapshotRequest", "{'id':'snap-1'}")]
    [InlineData("volume snapshot delete snap-1", "DeleteSnapshotRequest", "{'id':'snap-1'}")]
    [InlineData("volume export vol-1 --chunk-size 65536", "ExportVolumeRequest", "{'volumeId':'vol-1','chunkSize':65536}")]
    [InlineData("volume export --snapshot snap-1 -f out.raw", "ExportVolumeRequest", "{'snapshotId':'snap-1'}")]
    // images (the import header; size and sha256 are filled from the file when it runs)
    [InlineData("image import disk.qcow2 -t t -n debian --format qcow2 --label os=debian", "ImportImageRequest",
        "{'header':{'requestId':'req-1','tenantId':'t','name':'debian','format':'DISK_FORMAT_QCOW2','labels':{'os':'debian'}}}")]
    [InlineData("image get img-1", "GetImageRequest", "{'id':'img-1'}")]
    [InlineData("image list -t t", "ListImagesRequest", "{'tenantId':'t'}")]
    [InlineData("image delete img-1", "DeleteImageRequest", "{'id':'img-1'}")]
    // hosts
    [InlineData("host list --state maintenance", "ListHostsRequest", "{'state':'HOST_STATE_MAINTENANCE'}")]
    [InlineData("host get h-1", "GetHostRequest", "{'id':'h-1'}")]
    [InlineData("host cordon h-1 --reason disk", "CordonHostRequest", "{'id':'h-1','reason':'disk'}")]
    [InlineData("host drain h-1 --dry-run", "DrainHostRequest", "{'id':'h-1','dryRun':true}")]
    [InlineData("host uncordon h-1", "UncordonHostRequest", "{'id':'h-1'}")]
    [InlineData("host update h-1 --cpu-ratio 4 --label rack=r1", "UpdateHostRequest", "{'id':'h-1','overcommit':{'cpuRatio':4},'labels':{'rack':'r1'},'setLabels':true}")]
    // watch
    [InlineData("watch --from 42 --kind instance --kind volume --tenant t", "WatchRequest", "{'startRevision':'42','kinds':['RESOURCE_KIND_INSTANCE','RESOURCE_KIND_VOLUME'],'tenantId':'t'}")]
    [InlineData("watch", "WatchRequest", "{}")]
    // global flags may come anywhere
    [InlineData("--output json tenant get ten-1 --timeout 5s", "GetTenantRequest", "{'id':'ten-1'}")]
    public void CommandLine_BuildsRequest(string commandLine, string messageType, string expectedJson)
    {
        var actual = CtlRunner.BuildRequest(TestHosts.Args(commandLine), TestHosts.Create());

        Assert.Equal(messageType, actual.Descriptor.Name);
        var expected = JsonParser.Default.Parse(expectedJson.Replace('\'', '"'), actual.Descriptor);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("network create -t t -n n --subnet 10.0.0.0/24,gw=10.0.0.1", "unknown key 'gw'")]
    [InlineData("network create -t t -n n --subnet gateway=10.0.0.1", "must start with a CIDR")]
    [InlineData("policy create -t t -n p --rule protocol=tcp", "needs a direction")]
    [InlineData("policy create -t t -n p --rule direction=sideways", "direction 'sideways' must be one of: ingress, egress")]
    [InlineData("policy create -t t -n p --rule direction=ingress,ports=99999", "must be a port")]
    [InlineData("policy create -t t -n p --rule direction=ingress,cidr=0.0.0.0/0,remote-policy=x", "not both")]
    [InlineData("policy update pol-1 --description x", "replaces all rules")]
    [InlineData("instance create -t t -n vm --vcpus 1 --cpu-mhz 500 --memory 1G", "exactly one of --image or --boot-volume")]
    [InlineData("instance create -t t -n vm --vcpus 1 --cpu-mhz 500 --memory lots --image i", "--memory 'lots'")]
    [InlineData("instance resize i-1", "at least one of")]
    [InlineData("volume create -t t -n v", "needs --size")]
    [InlineData("volume create -t t -n v --image a --snapshot b", "at most one of")]
    [InlineData("volume export", "exactly one")]
    [InlineData("host update h-1", "host update needs")]
    [InlineData("tenant update ten-1", "replaces all labels")]
    [InlineData("tenant create acme --label novalue", "key=value")]
    public void BadSpec_IsAUsageError(string commandLine, string message)
    {
        var e = Assert.Throws<UsageException>(() => CtlRunner.BuildRequest(TestHosts.Args(commandLine), TestHosts.Create()));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RequestId_DefaultsToAFreshIdPerRun()
    {
        var host = TestHosts.Create() with { NewRequestId = () => "ctl-" + Guid.NewGuid().ToString("N") };
        var a = (V1.CreateTenantRequest)CtlRunner.BuildRequest(["tenant", "create", "x"], host);
        var b = (V1.CreateTenantRequest)CtlRunner.BuildRequest(["tenant", "create", "x"], host);
        Assert.StartsWith("ctl-", a.RequestId);
        Assert.NotEqual(a.RequestId, b.RequestId);
    }

    [Fact]
    public void HostUpdate_KeepsTheOtherOvercommitSettings()
    {
        var current = new V1.Overcommit { CpuRatio = 2, MemoryRatio = 1.5, MemoryReserveMib = 2048 };
        var r = Commands.HostCommands.BuildUpdate("h-1", current, null, 1.25, null, null, false);
        Assert.Equal(new V1.Overcommit { CpuRatio = 2, MemoryRatio = 1.25, MemoryReserveMib = 2048 }, r.Overcommit);
        Assert.False(r.SetLabels);
        Assert.Equal(1.5, current.MemoryRatio); // the host read is not mutated
    }
}
