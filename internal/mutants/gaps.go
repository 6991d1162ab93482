package mutants

// knownGaps are planted bugs no property of the catalogue detects: gaps of the catalogue, reported
// as such (see the hunt's report), never patched with a special check.
var knownGaps = map[string]bool{}
