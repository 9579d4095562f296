using Google.Protobuf;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;

namespace Infra.Controller.Domain.Tests.Validation;

public class ConsoleValidationTests
{
    static ConsoleRequest Open(string id, ConsoleAccess access = ConsoleAccess.Unspecified, uint tail = 0) =>
        new() { Open = new ConsoleOpen { InstanceId = id, Access = access, TailBytes = tail } };

    [Theory]
    [InlineData(ConsoleAccess.Unspecified, ConsoleAccessMode.Write)]
    [InlineData(ConsoleAccess.Write, ConsoleAccessMode.Write)]
    [InlineData(ConsoleAccess.ReadOnly, ConsoleAccessMode.ReadOnly)]
    [InlineData(ConsoleAccess.Takeover, ConsoleAccessMode.Takeover)]
    public void Open_MapsTheAccess(ConsoleAccess access, ConsoleAccessMode expected)
    {
        var cmd = Expect.Valid(ConsoleValidation.Validate(Open(Ids.Instance, access, 65536)));
        Assert.Equal((Ids.Instance, expected, 65536), (cmd.InstanceId, cmd.Access, cmd.TailBytes));
    }

    [Fact]
    public void Open_ReportsEveryProblem_AndInputFirstIsRefused()
    {
        Expect.Fields(ConsoleValidation.Validate(Open(Ids.Volume, (ConsoleAccess)7, 65537)), "open.access", "open.instance_id", "open.tail_bytes");
        Expect.Violation(ConsoleValidation.Validate(new ConsoleRequest { Input = ByteString.CopyFromUtf8("ls\n") }), "open", "must be open");
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(65536, null)]
    [InlineData(0, "must be 1 to 65536 bytes")]
    [InlineData(65537, "must be 1 to 65536 bytes")]
    public void Input_IsOneByteTo64KiB(int size, string? problem)
    {
        var p = ConsoleValidation.InputProblem(new ConsoleRequest { Input = ByteString.CopyFrom(new byte[size]) });
        if (problem is null) Assert.Null(p); else Assert.Contains(problem, p);
        Assert.Contains("only once", ConsoleValidation.InputProblem(Open(Ids.Instance)));
        Assert.NotNull(ConsoleValidation.InputProblem(new ConsoleRequest()));
    }

    [Theory]
    [InlineData(0u, 65536)]
    [InlineData(1u, 1)]
    [InlineData(1u << 20, 1 << 20)]
    public void Log_TailDefaultsTo64KiB_AtMost1MiB(uint requested, int expected)
    {
        Assert.Equal(expected, Expect.Valid(ConsoleValidation.Validate(new GetConsoleLogRequest { InstanceId = Ids.Instance, TailBytes = requested })).TailBytes);
        Expect.Fields(ConsoleValidation.Validate(new GetConsoleLogRequest { InstanceId = "", TailBytes = (1u << 20) + 1 }), "instance_id", "tail_bytes");
    }
}
