// pocketCloud's addition to FerretDB's SQLite backend (package sqlite), compiled in through
// `go build -overlay`; see ../README.md. Not part of the embedded/ferretdb main package: Go
// tooling skips directories whose names begin with an underscore.

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// pocketcloudMaxIn bounds the _id values one query pushes down: SQLite allows 32,766 bound
// parameters, and a longer $in is rare enough to be filtered in Go, as before.
const pocketcloudMaxIn = 10_000

// pocketcloudIDWhere returns the WHERE clause that narrows a query to the rows whose _id the
// filter names: a top-level `_id: <string or ObjectID>` or `_id: {$in: [<strings or
// ObjectIDs>]}`, whatever else the filter holds. FerretDB 1.24 pushes _id down only when it
// is the filter's single key, so `{_id: x, projSeq: {$lt: n}}` read every row of the table.
//
// Narrowing is always safe: every handler that queries (find, count, distinct, update,
// delete, findAndModify, aggregate) filters the rows it gets back with the whole filter, and
// none pushes a limit down unless the filter is empty. A string and an ObjectID of the same
// hex marshal alike, so the clause may return a row the filter then drops, never miss one.
//
// exact reports what FerretDB's explain calls filterPushdown: the clause alone answers the
// filter (the filter is `_id: <string or ObjectID>` and nothing else).
func pocketcloudIDWhere(filter *types.Document) (clause string, args []any, exact bool) {
	v, ok := pocketcloudTopLevel(filter, "_id")
	if !ok {
		return "", nil, false
	}

	switch v := v.(type) {
	case string, types.ObjectID:
		clause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
		return clause, []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}, filter.Len() == 1

	case *types.Document:
		if v.Len() != 1 {
			return "", nil, false
		}

		in, ok := pocketcloudTopLevel(v, "$in")
		arr, isArr := in.(*types.Array)
		if !ok || !isArr || arr.Len() == 0 || arr.Len() > pocketcloudMaxIn {
			return "", nil, false
		}

		args := make([]any, arr.Len())
		for i := range args {
			e := must.NotFail(arr.Get(i))
			switch e.(type) {
			case string, types.ObjectID:
				args[i] = string(must.NotFail(sjson.MarshalSingleValue(e)))
			default:
				return "", nil, false // a number, a regex, a document…: filtered in Go
			}
		}

		return fmt.Sprintf(` WHERE %s IN (?%s)`, metadata.IDColumn, strings.Repeat(", ?", len(args)-1)), args, false
	}

	return "", nil, false
}

// pocketcloudTopLevel returns the value of a key the document holds exactly once.
// (Document.Get panics on a duplicated key.)
func pocketcloudTopLevel(d *types.Document, key string) (any, bool) {
	if d == nil {
		return nil, false
	}

	var at []int
	for i, k := range d.Keys() {
		if k == key {
			at = append(at, i)
		}
	}

	if len(at) != 1 {
		return nil, false
	}

	return d.Values()[at[0]], true
}
