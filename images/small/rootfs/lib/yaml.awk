# Flattens the YAML subset that NoCloud files use into one "path=value" line per scalar, e.g.
#   ethernets.eth0.match.macaddress=52:54:00:12:34:56
#   ethernets.eth0.addresses.0=10.0.0.5/24
#   ethernets.eth0.routes.1.via=fd00::1
#   public-keys.0=ssh-ed25519 AAAA... user@host
# Handles block maps, block sequences (indented or at their key's indent, as PyYAML writes them),
# sequences of maps ("- to: x" then "  via: y"), flow sequences and flow maps of scalars
# ([a, b], {to: x, via: y}, "- {to: x, via: y}"), quoted scalars, comments and "---". Block scalars
# (| and >) become one line with their lines joined by \n (literally), which is enough for keys.
# Anchors, tags and nested flow collections are not YAML a config drive writer produces; they are
# not supported.

function unquote(s) {
  sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
  if (s ~ /^".*"$/ || s ~ /^'.*'$/) s = substr(s, 2, length(s) - 2)
  return s
}

function emit(path, v) { print path "=" unquote(v) }

# "k: v" -> sets K and V and returns 1; anything else returns 0. A colon must be followed by a
# space or end the line, so MAC and IPv6 values ("fd00::1", "52:54:...") are never keys.
function split_key(s) {
  if (match(s, /^("[^"]*"|'[^']*'|[^ \t"'#:{[][^:]*):([ \t]|$)/)) {
    K = unquote(substr(s, 1, RLENGTH - 1)); sub(/:[ \t]*$/, "", K); K = unquote(K)
    V = substr(s, RLENGTH + 1); sub(/^[ \t]+/, "", V); sub(/[ \t]+$/, "", V)
    return 1
  }
  return 0
}

# Splits a flow collection's inside on commas outside quotes.
function flow_items(s, out,   n, i, c, q, cur) {
  n = 0; q = ""; cur = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = ""; cur = cur c; continue }
    if (c == "\"" || c == "'") { q = c; cur = cur c; continue }
    if (c == ",") { out[++n] = cur; cur = ""; continue }
    cur = cur c
  }
  if (cur ~ /[^ \t]/) out[++n] = cur
  return n
}

function flow_value(path, v,   items, n, j) {
  if (v ~ /^\[.*\]$/) {
    n = flow_items(substr(v, 2, length(v) - 2), items)
    for (j = 1; j <= n; j++) emit(path "." (j - 1), items[j])
    return 1
  }
  if (v ~ /^\{.*\}$/) {
    n = flow_items(substr(v, 2, length(v) - 2), items)
    for (j = 1; j <= n; j++) if (split_key(unquote(items[j]))) emit(path "." K, V)
    return 1
  }
  return 0
}

# Cuts a trailing " # comment" that is outside quotes (an SSH key comment or a URL may hold a #).
function strip_comment(s,   i, c, q, prev) {
  q = ""; prev = " "
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = "" }
    else if (c == "\"" || c == "'") q = c
    else if (c == "#" && (prev == " " || prev == "\t")) { s = substr(s, 1, i - 1); break }
    prev = c
  }
  sub(/[ \t]+$/, "", s)
  return s
}

function join(parent, k) { return parent == "" ? k : parent "." k }

# Pops stack entries deeper than indent i (and at i itself when popsame).
function pop_to(i, popsame) {
  while (d > 0 && (ind[d] > i || (popsame && ind[d] == i))) d--
}

# A map entry or scalar at column i whose parent path is "parent".
function content(i, c, parent) {
  if (split_key(c)) {
    if (V == "") { d++; ind[d] = i; pth[d] = join(parent, K); seq[d] = 0; isitem[d] = 0; return }
    if (V ~ /^[|>][-+0-9]*$/) { blk = join(parent, K); blkind = i; blkval = ""; return }
    if (!flow_value(join(parent, K), V)) emit(join(parent, K), V)
    return
  }
  if (!flow_value(parent, c)) emit(parent, c)
}

BEGIN { d = 0; ind[0] = -1; pth[0] = ""; blk = "" }

{ sub(/\r$/, "") }
blk != "" {
  match($0, /^ */)
  if ($0 ~ /^[ \t]*$/ || RLENGTH > blkind) {
    l = $0; sub(/^ +/, "", l); blkval = blkval (blkval == "" ? "" : "\\n") l; next
  }
  print blk "=" blkval; blk = ""
}
/^[ \t]*#/ || /^[ \t]*$/ || /^---[ \t]*$/ || /^\.\.\.[ \t]*$/ { next }
{
  line = $0
  line = strip_comment(line)
  match(line, /^ */); i = RLENGTH; c = substr(line, i + 1)
  if (c ~ /^-([ \t]|$)/) {
    # A sequence item. Its parent is the nearest entry left of it, or a key at the same column
    # (PyYAML's "key:\n- item"); an earlier item at this column is a sibling, popped first.
    pop_to(i, 0)
    while (d > 0 && ind[d] == i && isitem[d]) d--
    p = d; idx = seq[p]++
    d++; ind[d] = i; pth[d] = join(pth[p], idx); seq[d] = 0; isitem[d] = 1
    rest = substr(c, 2); match(rest, /^[ \t]*/); col = i + 1 + RLENGTH; rest = substr(rest, RLENGTH + 1)
    if (rest != "") content(col, rest, pth[d])
    next
  }
  pop_to(i, 1)
  content(i, c, pth[d])
}
END { if (blk != "") print blk "=" blkval }
