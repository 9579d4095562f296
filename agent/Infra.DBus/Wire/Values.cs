namespace Infra.DBus.Wire;

// How D-Bus values look in .NET. The writer is driven by the signature and accepts loose shapes
// (any IEnumerable for arrays, object[] or tuples for structs, IDictionary for a{..}); the reader
// always returns the canonical shapes below so callers can pattern-match without guessing:
//   y byte, b bool, n short, q ushort, i int, u uint, x long, t ulong, d double, h UnixFdIndex,
//   s string, o ObjectPath, g DBusSignature, v DBusVariant, ay byte[], a{kv} Dictionary<object,object>,
//   other arrays object[], structs object[].

/// <summary>A D-Bus object path ('o'), kept apart from strings so the writer knows which code to emit.</summary>
public readonly record struct ObjectPath(string Value)
{
    public override string ToString() => Value;
    public static implicit operator ObjectPath(string value) => new(value);
}

/// <summary>A D-Bus type signature value ('g').</summary>
public readonly record struct DBusSignature(string Value)
{
    public override string ToString() => Value;
}

/// <summary>Index into the message's out-of-band file descriptor array ('h').</summary>
public readonly record struct UnixFdIndex(uint Index);

/// <summary>A value carrying its own single complete type ('v').</summary>
public sealed record DBusVariant(string Signature, object Value)
{
    public static DBusVariant String(string s) => new("s", s);
    public static DBusVariant Bool(bool b) => new("b", b);
    public static DBusVariant UInt32(uint u) => new("u", u);
    public static DBusVariant UInt64(ulong t) => new("t", t);
    public static DBusVariant Int32(int i) => new("i", i);
    public static DBusVariant Path(string o) => new("o", new ObjectPath(o));
    public override string ToString() => $"<{Signature}> {Value}";
}
