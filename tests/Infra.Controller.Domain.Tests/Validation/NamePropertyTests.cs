using FsCheck;
using FsCheck.Fluent;
using Infra.Controller.Domain.Validation;

namespace Infra.Controller.Domain.Tests.Validation;

public class NamePropertyTests
{
    static readonly char[] Inner = "abcdefghijklmnopqrstuvwxyz0123456789-".ToCharArray();
    static readonly char[] Edge = "abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray();

    [Fact]
    public void AnyDnsLabel_IsAValidName()
    {
        var gen = from first in Gen.Elements(Edge)
                  from length in Gen.Choose(0, 61)
                  from body in Gen.ArrayOf(Gen.Elements(Inner), length)
                  from last in Gen.Elements(Edge)
                  select length == 0 ? first.ToString() : first + new string(body) + last;
        Prop.ForAll(gen.ToArbitrary(), name => Violations.NameError(name) is null && name.Length <= 63).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void AnyStringWithAForbiddenCharacter_IsRejected()
    {
        var gen = from prefix in Gen.Elements("a", "web", "")
                  from bad in Gen.Elements('A', 'Z', '_', '.', ' ', '/', 'é', '\0', ':')
                  select prefix + bad + "x";
        Prop.ForAll(gen.ToArbitrary(), name => Violations.NameError(name) is not null).QuickCheckThrowOnFailure();
    }
}
