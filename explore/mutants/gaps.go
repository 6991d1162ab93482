package mutants

// knownGaps are planted bugs no property of the catalogue detects: gaps of the catalogue, reported
// as such (see the hunt's report), never patched with a special check. None is known: the last one,
// read-error-as-changed, is caught by P5 since P5 judges a background span whose read of the hash
// blob failed, on storage's answer and the instance's timeout as the trace records them.
var knownGaps = map[string]bool{}
