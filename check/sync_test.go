package check

import "testing"

func TestP5NoRedundantPublish(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"equal hash: skipped (SYNC-5)", []string{
			"storage blob.write value=h1",
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a sync.hashread span=1 last=h1 current=h1",
			"instance/a sync.end span=1 background=true success=true",
		}, Pass, 1, nil},
		{"equal hash at entry, published anyway (no hash read)", []string{
			"storage blob.write value=h1",
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
			"instance/a sync.end span=1 background=true success=true",
		}, Fail, 1, []string{"instance/a span 1 published at #3 ", "when it entered at #2 "}},
		{"hash read equal, then a publish", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a sync.hashread span=1 last=h1 current=h1",
			"instance/a sync.publish span=1 background=true target=mesh hash=h1 triggers=2",
		}, Fail, 1, []string{"published at #3 ", "hash read #2 "}},
		{"changed hash publishes", []string{
			"storage blob.write value=h0",
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a sync.hashread span=1 last=h0 current=h1",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
		{"the blob changed between entry and read: the read decides", []string{
			"storage blob.write value=h1",
			"instance/a sync.enter span=1 background=true hash=h1",
			"storage blob.write value=h2",
			"instance/a sync.hashread span=1 last=h2 current=h1",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
		{"foreground syncs are not judged", []string{
			"storage blob.write value=h1",
			"instance/a sync.enter span=1 background=false hash=h1",
			"instance/a sync.publish span=1 background=false target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
		// SYNC-5: a read error counts as unchanged. Judged on storage's answer as the instance got
		// it, or the instance's timeout, not on the host's "Error checking" line.
		{"exists answered 500, then a publish (read-error-as-changed)", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/a kind=blob.response id=4 status=500",
			"instance/a net.deliver msg=8 from=storage kind=blob.response",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
			"instance/a sync.end span=1 background=true success=true",
		}, Fail, 1, []string{"instance/a span 1 published at #5 ", "exists of the hash blob (#2 ", "with 500 (#3 "}},
		{"download timed out, then a publish", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/a kind=blob.response id=4 status=200",
			"instance/a net.deliver msg=8 from=storage kind=blob.response",
			"instance/a net.send msg=9 to=storage kind=blob.request id=5 op=download blob=synctriggers/app/last",
			"instance/a net.drop msg=9 injected=true",
			"@30s instance/a blob.timeout id=5 op=download",
			"@30s instance/a sync.publish span=1 background=true target=mesh hash=h1 triggers=2",
		}, Fail, 1, []string{"download of the hash blob (#5 ", "no answer in time (#7 "}},
		{"a failed read stops the sync: nothing published", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/a kind=blob.response id=4 status=403",
			"instance/a net.deliver msg=8 from=storage kind=blob.response",
			"instance/a sync.end span=1 background=true success=true",
		}, Pass, 1, nil},
		{"exists 404 is a missing blob, not an error: the publish is due", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/a kind=blob.response id=4 status=404",
			"instance/a net.deliver msg=8 from=storage kind=blob.response",
			"instance/a sync.hashread span=1 last= current=h1",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
		{"the first answer to arrive decides, a late duplicate does not", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/a net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/a kind=blob.response id=4 status=404",
			"instance/a net.deliver msg=8 from=storage kind=blob.response",
			"storage net.send msg=9 to=instance/a kind=blob.response id=4 status=500",
			"instance/a net.deliver msg=9 from=storage kind=blob.response",
			"instance/a sync.hashread span=1 last= current=h1",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
		{"another instance's failed read does not count", []string{
			"instance/a sync.enter span=1 background=true hash=h1",
			"instance/b net.send msg=7 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=8 to=instance/b kind=blob.response id=4 status=500",
			"instance/b net.deliver msg=8 from=storage kind=blob.response",
			"instance/a net.send msg=10 to=storage kind=blob.request id=4 op=exists blob=synctriggers/app/last",
			"storage net.send msg=11 to=instance/a kind=blob.response id=4 status=404",
			"instance/a net.deliver msg=11 from=storage kind=blob.response",
			"instance/a sync.publish span=1 background=true target=frontend hash=h1 triggers=2",
		}, Pass, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, NoRedundantPublish(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}

func TestP10NoEmptyBackgroundPublish(t *testing.T) {
	ok := script(
		"instance/a sync.publish span=1 background=true target=frontend triggers=3",
		"instance/a sync.publish span=2 background=false target=frontend triggers=0",
	)
	expect(t, NoEmptyBackgroundPublish(Input{Trace: ok}), Pass, 1)
	bad := script(
		"instance/a sync.publish span=1 background=true target=frontend triggers=3",
		"instance/b sync.publish span=4 background=true target=mesh triggers=0",
	)
	expect(t, NoEmptyBackgroundPublish(Input{Trace: bad}), Fail, 2, "background span 4 published an empty trigger set at #2 ")
}

func TestP9ErrorSurfaced(t *testing.T) {
	feFailure := []string{
		"client client.call call=1 kind=msg4.request path=/admin/host/synctriggers",
		"router router.route route=7 kind=msg4.request instance=a call=1",
		"instance/a sync.call span=1 background=false origin=admin request=7",
		"instance/a sync.enter span=1 background=false origin=admin hash=h1",
		"instance/a sync.publish span=1 background=false target=frontend hash=h1 triggers=1",
		"instance/a http.result id=1 target=frontend status=503",
		"instance/a log level=Error text=SyncTriggers_call_failed_(StatusCode=ServiceUnavailable).",
	}
	answer500 := "client client.response call=1 route=7 instance=a span=1 kind=msg4.response status=500 result=SyncTriggers_call_failed_(StatusCode=ServiceUnavailable)."
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"surfaced", append(append([]string{}, feFailure...),
			`instance/a sync.end span=1 background=false origin=admin success=false error=SyncTriggers_call_failed_(StatusCode=ServiceUnavailable).`,
			answer500), Pass, 2, nil},
		{"publish failed but the span succeeded", append(append([]string{}, feFailure...),
			"instance/a sync.end span=1 background=false origin=admin success=true"), Fail, 1,
			[]string{"instance/a span 1 ended with success at #8 ", "publish #5 ", "#6 ", "status 503"}},
		{"not a SYNC-7 text", append(append([]string{}, feFailure...),
			"instance/a sync.end span=1 background=false origin=admin success=false error=boom"), Fail, 1,
			[]string{"failed at #8 ", `"boom"`}},
		{"silent failure", []string{
			"instance/a sync.call span=1 background=false origin=keys",
			"instance/a log level=Information text=starting",
			"instance/a sync.end span=1 background=false origin=keys success=false error=SyncTriggers_operation_failed.",
		}, Fail, 1, []string{"without a Warning or Error log line"}},
		{"a warning that does not say the sync failed does not count (#12035's oversize fallback)", []string{
			"instance/a sync.call span=1 background=false origin=keys",
			"instance/a log level=Warning text=SyncTriggers_payload_of_length_'204900'_exceeds_max_length_of_'204800'._Reverting_to_minimal_format.",
			"instance/a log level=Debug text=SyncTriggers_call_failed_(StatusCode=BadRequest).",
			"instance/a sync.end span=1 background=false origin=keys success=false error=SyncTriggers_call_failed_(StatusCode=BadRequest).",
		}, Fail, 1, []string{"without a Warning or Error log line saying so"}},
		{"a warning after the span does not count", []string{
			"instance/a sync.call span=1 background=false origin=keys",
			"instance/a sync.end span=1 background=false origin=keys success=false error=SyncTriggers_operation_failed.",
			"instance/a log level=Warning text=late",
		}, Fail, 1, []string{"without a Warning"}},
		{"additive: the best-effort mesh notification may fail", []string{
			"instance/a sync.call span=1 background=false origin=admin",
			"instance/a sync.publish span=1 target=frontend",
			"instance/a http.result id=1 target=frontend status=200",
			"instance/a sync.publish span=1 target=mesh",
			"instance/a http.result id=2 target=mesh status=0 error=timeout",
			"instance/a sync.end span=1 origin=admin success=true",
			"instance/a sync.call span=2 background=false origin=admin",
			"instance/a sync.publish span=2 target=mesh",
			"instance/a http.result id=3 target=mesh status=0 error=refused",
			"instance/a log level=Error text=Failed_to_notify_triggers_changed.",
			"instance/a sync.end span=2 origin=admin success=false error=Failed_to_notify_triggers_changed.",
		}, Pass, 1, nil},
		{"MSG-4 answers success for a failed sync", append(append([]string{}, feFailure...),
			`instance/a sync.end span=1 background=false origin=admin success=false error=SyncTriggers_call_failed_(StatusCode=ServiceUnavailable).`,
			"client client.response call=1 route=7 instance=a span=1 kind=msg4.response status=200 result=success"), Fail, 2,
			[]string{"MSG-4 answer #9 ", "which failed at #8 "}},
		{"answers name their span, not the time order", []string{
			"instance/a sync.call span=1 origin=admin request=1",
			"instance/a log level=Error text=SyncTriggers_operation_failed.",
			"instance/a sync.end span=1 origin=admin success=false error=SyncTriggers_operation_failed.",
			"instance/a sync.call span=2 origin=admin request=2",
			"instance/a sync.end span=2 origin=admin success=true",
			"client client.response call=2 route=2 instance=a span=2 kind=msg4.response status=200 result=success",
		}, Pass, 1, nil},
		{"an answer no sync gave (502: the instance died) is not judged", []string{
			"instance/a sync.call span=1 origin=admin request=3",
			"instance/a log level=Error text=SyncTriggers_operation_failed.",
			"instance/a sync.end span=1 origin=admin success=false error=SyncTriggers_operation_failed.",
			"client client.response call=5 route=3 kind=msg4.response status=502",
		}, Pass, 1, nil},
		{"a duplicated request: the relayed answer is the second span's", []string{
			"instance/a sync.call span=1 origin=admin request=3",
			"instance/a log level=Error text=SyncTriggers_operation_failed.",
			"instance/a sync.end span=1 origin=admin success=false error=SyncTriggers_operation_failed.",
			"instance/a sync.call span=2 origin=admin request=3",
			"instance/a sync.end span=2 origin=admin success=true",
			"client client.response call=4 route=3 instance=a span=2 kind=msg4.response status=200 result=success",
		}, Pass, 1, nil},
		{"an answer hides the failure", []string{
			"instance/a sync.call span=2 origin=admin request=3",
			"instance/a sync.end span=2 origin=admin success=false error=SyncTriggers_operation_failed.",
			"instance/a log level=Error text=y",
			"client client.response call=1 kind=msg3.response status=200",
			"instance/b sync.call span=2 origin=admin request=4",
			"instance/b log level=Error text=z",
			"client client.response call=4 route=3 instance=a span=2 kind=msg4.response status=200 result=success",
		}, Fail, 2, []string{"instance/a span 2 failed at #2 ", "without a Warning", "MSG-4 answer #7 ", "to instance/a span 2 "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, ErrorSurfaced(Input{Trace: spaced(script(c.lines...))}), c.want, c.checked, c.ev...)
		})
	}
}

func TestP9RecognisesEveryFailureText(t *testing.T) {
	for _, s := range []string{"Invalid environment for SyncTriggers operation.", "Failed to notify triggers changed.",
		"SyncTriggers operation failed.", "SyncTriggers call failed (StatusCode=TooManyRequests)."} {
		if !isFailureText(s) {
			t.Errorf("%q rejected", s)
		}
	}
	for _, s := range []string{"", "SyncTriggers call failed (StatusCode=).", "SyncTriggers call failed (StatusCode=Too Many)."} {
		if isFailureText(s) {
			t.Errorf("%q accepted", s)
		}
	}
}
