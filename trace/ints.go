package trace

import "strconv"

// smallInts holds the decimal text of every integer below len(smallInts), cut from one string: a
// run's ids, counts, statuses and revisions are mostly small, and their fields then share these
// texts instead of formatting one each (strconv formats only those below 100 without allocating).
// The table is fixed text, the same for every run.
var smallInts = func() []string {
	const n = 1 << 12
	var all []byte
	for i := range n {
		all = strconv.AppendInt(all, int64(i), 10)
	}
	text := string(all)
	out := make([]string, n)
	at := 0
	for i := range n {
		w := len(strconv.Itoa(i))
		out[i] = text[at : at+w]
		at += w
	}
	return out
}()

// formatInt is strconv.FormatInt(v, 10), from smallInts when v is in it.
func formatInt(v int64) string {
	if v >= 0 && v < int64(len(smallInts)) {
		return smallInts[v]
	}
	return strconv.FormatInt(v, 10)
}

// formatUint is strconv.FormatUint(v, 10), from smallInts when v is in it.
func formatUint(v uint64) string {
	if v < uint64(len(smallInts)) {
		return smallInts[v]
	}
	return strconv.FormatUint(v, 10)
}
