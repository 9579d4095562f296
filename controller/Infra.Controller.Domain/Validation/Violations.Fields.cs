using System.Collections.Immutable;
using Google.Protobuf.Collections;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Validation;

// Field rules shared by every resource: names, ids, request ids, labels, free text, paging.
public sealed partial class Violations
{
    public const int MaxNameLength = 63;
    public const int MaxRequestIdLength = 128;
    public const int MaxLabels = 64;
    public const int MaxLabelKeyLength = 63;
    public const int MaxLabelValueLength = 255;
    public const int MaxDescriptionLength = 1024;
    public const int MaxPageTokenLength = 1024;

    /// <summary>A DNS-label-like name: 1-63 of [a-z0-9-], not starting or ending with '-'.
    /// Such names are safe in unit names, OVS external ids, file names and URLs.</summary>
    public string Name(string field, string text, bool required = true)
    {
        if (text.Length == 0)
        {
            if (required) Add(field, "is required: 1-63 characters of a-z, 0-9 and '-'");
            return "";
        }
        Check(field, NameError(text));
        return text;
    }

    public static string? NameError(string text)
    {
        if (text.Length > MaxNameLength)
            return $"is {text.Length} characters long; use at most {MaxNameLength}";
        if (!text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            return $"\"{ResourceId.Clip(text)}\" may contain only a-z, 0-9 and '-' (lower case, no spaces)";
        if (text[0] == '-' || text[^1] == '-')
            return $"\"{text}\" must start and end with a letter or digit, not '-'";
        return null;
    }

    /// <summary>A server-assigned id of the given kind; empty is an error only when required.</summary>
    public string? Id(string field, string text, IdKind kind, bool required = true)
    {
        if (text.Length == 0)
        {
            if (required) Add(field, $"is required: the {kind.ToString().ToLowerInvariant()} id, like {ResourceId.Prefix(kind)}-{new string('a', ResourceId.SuffixLength)}");
            return null;
        }
        return Check(field, ResourceId.Check(text, kind)) ? text : null;
    }

    /// <summary>Host ids are chosen by agents (usually the hostname): 1-253 of [a-z0-9.-].</summary>
    public string? HostId(string field, string text, bool required = true)
    {
        if (text.Length == 0)
        {
            if (required) Add(field, "is required: the host's id as its agent registered it (see ListHosts)");
            return null;
        }
        if (text.Length > 253 || !text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
            || text[0] is '-' or '.' || text[^1] is '-' or '.')
        {
            Add(field, $"\"{ResourceId.Clip(text)}\" is not a host id: 1-253 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit");
            return null;
        }
        return text;
    }

    /// <summary>Optional idempotency key: up to 128 printable ASCII characters (UUIDs fit).</summary>
    public string? RequestId(string field, string text)
    {
        if (text.Length == 0) return null;
        if (text.Length > MaxRequestIdLength)
            Add(field, $"is {text.Length} characters long; use at most {MaxRequestIdLength} (a UUID is a good choice)");
        else if (!text.All(c => c is > ' ' and <= '~'))
            Add(field, "may contain only printable ASCII without spaces (a UUID is a good choice)");
        else return text;
        return null;
    }

    /// <summary>Free text for operators: bounded, no control characters except newline and tab.</summary>
    public string Text(string field, string text, int maxLength = MaxDescriptionLength)
    {
        if (text.Length > maxLength)
            Add(field, $"is {text.Length} characters long; use at most {maxLength}");
        else if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
            Add(field, "contains control characters; use printable text");
        return text;
    }

    /// <summary>Labels: at most 64; keys 1-63 of [A-Za-z0-9._/-] starting with a letter or digit;
    /// values up to 255 characters without control characters.</summary>
    public Labels Labels(string field, MapField<string, string> labels)
    {
        if (labels.Count > MaxLabels)
            Add(field, $"has {labels.Count} labels; at most {MaxLabels} are allowed");
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var path = $"{field}[\"{ResourceId.Clip(key)}\"]";
            if (key.Length == 0 || key.Length > MaxLabelKeyLength)
                Add(path, $"label keys must be 1-{MaxLabelKeyLength} characters long");
            else if (!char.IsAsciiLetterOrDigit(key[0]) || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/'))
                Add(path, "label keys may contain only letters, digits, '.', '_', '-' and '/', starting with a letter or digit");
            if (value.Length > MaxLabelValueLength)
                Add(path, $"label value is {value.Length} characters long; use at most {MaxLabelValueLength}");
            else if (value.Any(char.IsControl))
                Add(path, "label values may not contain control characters");
            builder[key] = value;
        }
        return new Labels(builder.ToImmutable());
    }

    /// <summary>Paging: size 0 means 100, at most 1000; the token is opaque base64url from a previous page.</summary>
    public Page Page(string field, Infra.V1.PageRequest? page)
    {
        if (page is null) return Model.Page.First;
        var size = page.PageSize;
        if (size < 0 || size > Model.Page.MaxSize)
            Add(Path(field, "page_size"), $"must be 0-{Model.Page.MaxSize} (0 means {Model.Page.DefaultSize}); got {size}");
        var token = page.PageToken;
        if (token.Length > MaxPageTokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '='))
            Add(Path(field, "page_token"), "is not a token this server issued; pass next_page_token from the previous page unchanged, or empty for the first page");
        return new Page(size == 0 ? Model.Page.DefaultSize : Math.Clamp(size, 1, Model.Page.MaxSize), token.Length == 0 ? null : token);
    }

    /// <summary>Expected revision for optimistic updates: 0 means "any", negatives are errors.</summary>
    public long? Revision(string field, long revision)
    {
        if (revision < 0) Add(field, $"must be 0 (no check) or a revision read from the object; got {revision}");
        return revision > 0 ? revision : null;
    }

    /// <summary>Rejects numeric values outside the wire enum (a newer client, or a corrupt message).</summary>
    public bool Defined<TEnum>(string field, TEnum value) where TEnum : struct, Enum
    {
        if (Enum.IsDefined(value)) return true;
        Add(field, $"{Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)} is not a known value; use one of {string.Join(", ", Enum.GetNames<TEnum>())}");
        return false;
    }
}
