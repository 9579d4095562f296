using System.Text;
using Infra.Controller.Southbound.Session;

namespace Infra.Controller.Southbound.Tests.Session;

/// <summary>Agent text is capped in UTF-8 bytes on a character boundary; short text is kept as sent.</summary>
public sealed class AgentTextTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("qemu exited with status 1", false)]
    [InlineData("x:1024", false)]
    [InlineData("x:1025", true)]
    [InlineData("é:600", true)]
    [InlineData("😀:300", true)]
    [InlineData("x:1000000", true)]
    public void Cap_KeepsShortText_CutsLongTextOnACharacterBoundary(string spec, bool cut)
    {
        var text = spec.Contains(':') && spec.Split(':') is [var unit, var n] ? string.Concat(Enumerable.Repeat(unit, int.Parse(n))) : spec;

        var capped = AgentText.Cap(text);

        if (!cut) { Assert.Same(text, capped); return; }
        Assert.EndsWith(AgentText.Marker, capped);
        Assert.InRange(Encoding.UTF8.GetByteCount(capped), AgentText.MaxBytes - 4, AgentText.MaxBytes);
        Assert.StartsWith(capped[..^AgentText.Marker.Length], text);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(capped)));
    }
}
