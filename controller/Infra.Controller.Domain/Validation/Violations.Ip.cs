using System.Net;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Validation;

// Address and CIDR fields.
public sealed partial class Violations
{
    public IpCidr? Cidr(string field, string text, bool required = true)
    {
        if (text.Length == 0)
        {
            if (required) Add(field, "is required: a CIDR such as 10.0.0.0/24 or fd00:1::/64");
            return null;
        }
        if (IpCidr.TryParse(text, out var cidr, out var error)) return cidr;
        Add(field, error);
        return null;
    }

    public IPAddress? Address(string field, string text, bool required = true)
    {
        if (text.Length == 0)
        {
            if (required) Add(field, "is required: an IP address such as 10.0.0.1 or fd00:1::1");
            return null;
        }
        if (IpMath.TryParseAddress(text, out var address)) return address;
        Add(field, $"\"{ResourceId.Clip(text)}\" is not an IP address; write it like 10.0.0.1 or fd00:1::1");
        return null;
    }
}
