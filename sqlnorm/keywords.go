package sqlnorm

import (
	"sort"
	"strings"
)

// Keyword ids the analyser refers to by name. Every other keyword gets an id
// above kwNamed. Id 0 means "not a keyword".
const (
	kwNone uint16 = iota
	kwSelect
	kwInsert
	kwUpdate
	kwDelete
	kwMerge
	kwReplace
	kwWith
	kwRecursive
	kwAs
	kwNot
	kwMaterialized
	kwFrom
	kwJoin
	kwInto
	kwTable
	kwTables
	kwWhere
	kwUsing
	kwOn
	kwOnly
	kwLateral
	kwIf
	kwExists
	kwValues
	kwArray
	kwIn
	kwSet
	kwReset
	kwCreate
	kwAlter
	kwDrop
	kwTruncate
	kwCopy
	kwExplain
	kwAnalyze
	kwVacuum
	kwLock
	kwGrant
	kwRevoke
	kwReferences
	kwShow
	kwDistinct
	kwIndex
	kwUnique
	kwConcurrently
	kwOr
	kwTemp
	kwTemporary
	kwUnlogged
	kwIgnore
	kwLowPriority
	kwDelayed
	kwHighPriority
	kwQuick
	kwOutfile
	kwDumpfile
	kwAll
	kwTo
	kwCall
	kwDo
	kwShare
	kwDefault
	kwNull
	kwTrue
	kwFalse
	kwRole
	kwSession
	kwLocal
	kwFor
	kwOf
	kwUescape
	kwAnd
	kwThen
	kwElse
	kwWhen
	kwCase
	kwLimit
	kwOffset
	kwBetween
	kwHaving
	kwReturning
	kwPragma
	kwDescribe
	kwDesc
	kwPrepare
	kwNamed
)

// Keywords the analyser refers to by id that render like the other
// keywords (their ids are kwNamed and above, as every unnamed one's).
const (
	kwBy uint16 = kwNamed + iota
	kwOrder
	kwGroup
	kwAsc
	kwNulls
	kwFirst
	kwLast
	kwOther // first id of the remaining keywords
)

var kwNamedWords = [...]string{
	kwSelect: "select", kwInsert: "insert", kwUpdate: "update", kwDelete: "delete",
	kwMerge: "merge", kwReplace: "replace", kwWith: "with", kwRecursive: "recursive",
	kwAs: "as", kwNot: "not", kwMaterialized: "materialized", kwFrom: "from",
	kwJoin: "join", kwInto: "into", kwTable: "table", kwTables: "tables", kwWhere: "where",
	kwUsing: "using", kwOn: "on", kwOnly: "only", kwLateral: "lateral", kwIf: "if",
	kwExists: "exists", kwValues: "values", kwArray: "array", kwIn: "in", kwSet: "set",
	kwReset: "reset", kwCreate: "create", kwAlter: "alter", kwDrop: "drop",
	kwTruncate: "truncate", kwCopy: "copy", kwExplain: "explain", kwAnalyze: "analyze",
	kwVacuum: "vacuum", kwLock: "lock", kwGrant: "grant", kwRevoke: "revoke",
	kwReferences: "references", kwShow: "show", kwDistinct: "distinct", kwIndex: "index",
	kwUnique: "unique", kwConcurrently: "concurrently", kwOr: "or", kwTemp: "temp",
	kwTemporary: "temporary", kwUnlogged: "unlogged", kwIgnore: "ignore",
	kwLowPriority: "low_priority", kwDelayed: "delayed", kwHighPriority: "high_priority",
	kwQuick: "quick", kwOutfile: "outfile", kwDumpfile: "dumpfile", kwAll: "all", kwTo: "to",
	kwCall: "call", kwDo: "do", kwShare: "share", kwDefault: "default", kwNull: "null",
	kwTrue: "true", kwFalse: "false", kwRole: "role", kwSession: "session", kwLocal: "local",
	kwFor: "for", kwOf: "of", kwUescape: "uescape", kwAnd: "and", kwThen: "then",
	kwElse: "else", kwWhen: "when", kwCase: "case", kwLimit: "limit", kwOffset: "offset",
	kwBetween: "between", kwHaving: "having", kwReturning: "returning", kwPragma: "pragma",
	kwDescribe: "describe", kwDesc: "desc", kwPrepare: "prepare",
}

var kwOtherNamedWords = [...]string{
	kwBy - kwNamed: "by", kwOrder - kwNamed: "order", kwGroup - kwNamed: "group",
	kwAsc - kwNamed: "asc", kwNulls - kwNamed: "nulls", kwFirst - kwNamed: "first",
	kwLast - kwNamed: "last",
}

// otherKeywords are upper-cased in canonical text. Words that are commonly
// column names (name, type, value, key, date ...) are deliberately absent:
// they are folded like any identifier.
const otherKeywords = `abort absolute action add admin after aggregate also always any asc
assertion assignment asymmetric at attach authorization backward before begin both
by cache called cascade cascaded cast catalog chain characteristics check checkpoint class
close cluster coalesce collate collation column columns comment comments commit committed
conflict connection constraint constraints conversion cross csv cube current current_catalog
current_date current_role current_schema current_time current_timestamp current_user cursor
cycle database databases deallocate declare deferrable deferred definer delimiter delimiters
depends detach dictionary disable discard document domain duplicate each enable encoding
encrypted end enum escape event except exclude excluding exclusive execute explain extension
external extract fetch filter first following force foreign forward freeze full function
functions generated global grant granted greatest group grouping groups handler header hold
identity ilike immediate immutable implicit import include including increment inherit
inherits initially inline inner inout input insensitive instead intersect interval invoker is
isnull isolation key_block_size language large last leading leakproof least left level like
listen load localtime localtimestamp location locked logged mapping match maxvalue method
minvalue mode move names natural new next nfc nfd nfkc nfkd no none normalize normalized
nothing notify notnull nowait nullif nulls object off offset oids old operator option options
order ordinality others out outer over overlaps overlay overriding owned owner parallel parser
partial partition passing password placing plans policy position preceding precision prepare
prepared preserve primary prior privileges procedural procedure procedures program publication
quote range read reassign recheck refresh reindex relative release rename repeatable replica
restart restrict return returns right rollback rollup routine routines row rows rule savepoint
schema schemas scroll search second security sequence sequences serializable server sessions
session_user setof sets similar simple skip snapshot some sql stable standalone start statement
statistics stdin stdout storage stored strict strip subscription substring support symmetric
sysid system tablesample tablespace temporary template text ties transaction transform treat
trigger trim truncate trusted unbounded uncommitted unencrypted union unknown unlisten until
user valid validate validator varying verbose version view views volatile whitespace window
within without work wrapper write xmlattributes xmlconcat xmlelement xmlexists xmlforest
xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable yes zone
auto_increment engine charset straight_join sql_calc_found_rows sql_no_cache sql_cache
rlike regexp div xor unsigned zerofill describe tinyint mediumint bigint smallint int
integer numeric decimal real double float boolean char varchar character nchar bit varbit
timestamp time datetime year interval json jsonb bytea blob tinyblob mediumblob longblob
tinytext mediumtext longtext binary varbinary autoincrement glob indexed notnull raise
rowid without vacuum virtual abort fail conflict exclusive deferred immediate attach detach
reindex pragma explain query plan`

// keywords maps a lower-case word to its id.
var keywords = buildKeywords()

// kwNames maps a keyword id back to its lower-case spelling.
var kwNames = buildKwNames()

// kwUpper maps a keyword id to its upper-case spelling.
var kwUpper = func() []string {
	up := make([]string, len(kwNames))
	for id, w := range kwNames {
		up[id] = strings.ToUpper(w)
	}
	return up
}()

func buildKwNames() []string {
	n := 0
	for _, id := range keywords {
		n = max(n, int(id)+1)
	}
	names := make([]string, n)
	for w, id := range keywords {
		if names[id] == "" || w < names[id] {
			names[id] = w
		}
	}
	return names
}

// kwFuncLike are keywords that are also called like functions (their
// parenthesised use is a function call).
var kwFuncLike = buildSet(`coalesce nullif greatest least cast extract substring trim position
overlay normalize treat left right replace if insert char character
row interval current_timestamp current_time localtime localtimestamp
xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot xmlserialize
collation grouping`)

func buildKeywords() map[string]uint16 {
	m := make(map[string]uint16, 600)
	for id, w := range kwNamedWords {
		if w != "" {
			m[w] = uint16(id)
		}
	}
	for id, w := range kwOtherNamedWords {
		m[w] = kwNamed + uint16(id)
	}
	next := kwOther
	word := make([]byte, 0, 32)
	flush := func() {
		if len(word) == 0 {
			return
		}
		if _, ok := m[string(word)]; !ok {
			m[string(word)] = next
			next++
		}
		word = word[:0]
	}
	for i := 0; i < len(otherKeywords); i++ {
		c := otherKeywords[i]
		if c == ' ' || c == '\n' || c == '\t' {
			flush()
			continue
		}
		word = append(word, c)
	}
	flush()
	m["straight_join"] = kwJoin // MySQL: a join that keeps the table order
	return m
}

func buildSet(s string) map[string]bool {
	m := map[string]bool{}
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if start >= 0 {
				m[s[start:i]] = true
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return m
}

// The keyword table is open-addressing: kwSlots holds, per hash bucket,
// 1 + the index of a kwEntry in its low kwIndexBits bits and the word's
// length above them (0: empty), so a word of another length is passed over
// without reading its entry. The hash reads only the length and the first
// two and last two bytes, each with the case bit 0x20 set (which
// lower-cases a letter, and maps any other byte alike in a word and in its
// lower-case spelling), so a lookup costs no per-byte hashing; the full
// word is compared case-insensitively after.
type kwEntry struct {
	word string // lower case
	id   uint16
}

const kwTableSize = 2048 // power of two, > 2 * number of keywords

// kwIndexBits is the width of 1 + an entry index in a slot; the length
// (at most maxKeywordLen) fills the bits above (buildKwTable checks both).
const kwIndexBits = 10

var kwEntries, kwSlots = buildKwTable()

// lowerTab maps ASCII upper-case letters to lower case, every other byte to itself.
var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// kwBucket is the bucket of a word of at least two bytes (any case).
func kwBucket(w string) uint32 {
	n := len(w)
	x := uint32(w[0]) | uint32(w[1])<<8 | uint32(w[n-2])<<16 | uint32(w[n-1])<<24
	x |= 0x20202020
	h := (x ^ uint32(n)*0x9E3779B1) * 0x85EBCA6B
	h ^= h >> 15
	return (h * 0xC2B2AE35) >> 21 // 11 bits: kwTableSize
}

func buildKwTable() ([]kwEntry, *[kwTableSize]uint16) {
	var slots [kwTableSize]uint16
	entries := make([]kwEntry, 0, len(keywords))
	words := make([]string, 0, len(keywords))
	for w := range keywords {
		words = append(words, w)
	}
	sort.Strings(words) // a fixed layout, whatever the map order
	if len(words) >= 1<<kwIndexBits || maxKeywordLen >= 1<<(16-kwIndexBits) {
		panic("sqlnorm: the keyword table's slots are too narrow")
	}
	for _, w := range words {
		entries = append(entries, kwEntry{word: w, id: keywords[w]})
		j := kwBucket(w)
		for slots[j] != 0 {
			j = (j + 1) & (kwTableSize - 1)
		}
		slots[j] = uint16(len(entries)) | uint16(len(w))<<kwIndexBits
	}
	return entries, &slots
}

// maxKeywordLen bounds the words worth looking up.
const maxKeywordLen = 24

// lookupKeyword returns the keyword id of an unquoted word (any case).
func lookupKeyword(w string) uint16 {
	n := len(w)
	if n > maxKeywordLen || n < 2 {
		return 0
	}
	return lookupKeywordFrom(w, kwBucket(w))
}

// lookupKeywordFrom is lookupKeyword for a word of 2 to maxKeywordLen
// bytes whose bucket is j.
func lookupKeywordFrom(w string, j uint32) uint16 {
	n := len(w)
	for ; ; j = (j + 1) & (kwTableSize - 1) {
		k := kwSlots[j]
		if k == 0 {
			return 0
		}
		if int(k>>kwIndexBits) != n {
			continue
		}
		e := &kwEntries[k&(1<<kwIndexBits-1)-1]
		if equalLower(w, e.word) {
			return e.id
		}
	}
}

// equalLower reports whether w, ASCII-lower-cased, equals lower (same length).
func equalLower(w, lower string) bool {
	lower = lower[:len(w)]
	for i := 0; i < len(w); i++ {
		if lowerTab[w[i]] != lower[i] {
			return false
		}
	}
	return true
}

// pureFunctions are functions known to have no side effect that could
// write: calling only these keeps a SELECT read-only. Any other function
// (nextval, set_config, pg_advisory_lock, lo_import, dblink_exec, user
// functions ...) makes ReadOnly false.
var pureFunctions = buildSet(`count sum avg min max lower upper length char_length character_length
octet_length bit_length coalesce nullif greatest least abs round floor ceil ceiling trunc mod power
pow sqrt exp ln log log10 sign pi degrees radians sin cos tan asin acos atan atan2 cbrt div
now current_timestamp current_date current_time localtime localtimestamp statement_timestamp
transaction_timestamp clock_timestamp timeofday date_trunc date_part date_bin extract age
to_char to_date to_timestamp to_number make_date make_time make_timestamp make_timestamptz
make_interval justify_days justify_hours justify_interval isfinite
concat concat_ws substring substr trim ltrim rtrim btrim replace translate position strpos
left right lpad rpad repeat reverse split_part initcap ascii chr format quote_ident
quote_literal quote_nullable starts_with regexp_replace regexp_match regexp_matches
regexp_split_to_array regexp_split_to_table regexp_like regexp_count regexp_substr regexp_instr
md5 sha224 sha256 sha384 sha512 encode decode convert_from convert_to to_hex overlay
array_agg string_agg json_agg jsonb_agg json_object_agg jsonb_object_agg bool_and bool_or every
bit_and bit_or stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp
percentile_cont percentile_disc mode row_number rank dense_rank percent_rank cume_dist ntile lag lead
first_value last_value nth_value cast unnest generate_series generate_subscripts array_length
array_lower array_upper array_position array_positions array_remove array_replace array_append
array_prepend array_cat array_to_string string_to_array cardinality array_dims
to_json to_jsonb row_to_json array_to_json json_build_object jsonb_build_object json_build_array
jsonb_build_array json_object jsonb_object json_extract_path jsonb_extract_path
json_extract_path_text jsonb_extract_path_text jsonb_set jsonb_insert jsonb_strip_nulls
jsonb_pretty json_typeof jsonb_typeof json_array_length jsonb_array_length json_each jsonb_each
json_each_text jsonb_each_text json_array_elements jsonb_array_elements json_array_elements_text
jsonb_array_elements_text jsonb_path_query jsonb_path_exists jsonb_path_match json_object_keys
jsonb_object_keys gen_random_uuid random uuid version current_setting current_database
current_schema current_schemas current_user session_user pg_typeof num_nonnulls num_nulls
width_bucket scale exists row grouping
ifnull if isnull date_format str_to_date group_concat json_extract json_unquote json_contains
json_length json_keys json_array json_search unix_timestamp from_unixtime curdate curtime
sysdate datediff date_add date_sub timestampdiff timestampadd dayofweek dayofmonth dayofyear
weekday week month year day hour minute second quarter last_day utc_timestamp utc_date
field find_in_set instr locate lcase ucase space hex unhex bin oct conv crc32 sha1 sha2
char format truncate rand uuid_short
iif strftime datetime date time julianday unixepoch typeof printf quote zeroblob
total likely unlikely likelihood nullif glob like soundex changes last_insert_rowid total_changes`)

// The setting functions, set_config alone, are calls whose literal
// arguments name what they change (a setting and its value): their
// literals stay in the canonical text (see markFunc).
