using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Infra.Controller.Domain.Enrollment;

/// <summary>
/// How a host certificate names its host: one URI SAN <c>infra://host/&lt;id&gt;</c> (the CN repeats
/// the id for people reading it, but only the SAN counts). Host ids are DNS labels, as in Hello.
/// </summary>
public static partial class HostIdentity
{
    public const string UriPrefix = "infra://host/";

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostIdPattern();

    public static bool IsValidHostId(string id) => HostIdPattern().IsMatch(id);

    public static string Uri(string hostId) => UriPrefix + hostId;

    /// <summary>The host id in the certificate's URI SAN; false when it has none (or a malformed one).</summary>
    public static bool TryRead(X509Certificate2 cert, out string hostId)
    {
        hostId = "";
        foreach (var uri in Uris(cert))
        {
            if (!uri.StartsWith(UriPrefix, StringComparison.Ordinal)) continue;
            var id = uri[UriPrefix.Length..];
            if (!IsValidHostId(id)) return false;
            hostId = id;
            return true;
        }
        return false;
    }

    /// <summary>Every uniformResourceIdentifier ([6] IA5String) GeneralName of the SAN extension.</summary>
    static IEnumerable<string> Uris(X509Certificate2 cert)
    {
        var ext = cert.Extensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        if (ext is null) return [];
        var found = new List<string>();
        try
        {
            var seq = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (seq.HasData)
            {
                if (seq.PeekTag() == uriTag) found.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                else seq.ReadEncodedValue();
            }
        }
        catch (AsnContentException) { return []; }
        return found;
    }
}
