using Infra.Agent.Network.Flows;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Network;

public sealed partial class NetworkReconciler
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Applying {Count} OVSDB change(s) to {Bridge}")]
    private static partial void LogApplyingRows(ILogger logger, int count, string bridge);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Flows {Mode}: +{Added} -{Deleted} in {Groups} cookie group(s)")]
    private static partial void LogFlows(ILogger logger, FlowApplyMode mode, int added, int deleted, int groups);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Flow table of {Bridge} no longer matches what was installed (ovs-vswitchd restart or manual change); re-adopting")]
    private static partial void LogFlowDrift(ILogger logger, string bridge);
}
