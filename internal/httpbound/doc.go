// Package httpbound bounds every syncsim HTTP server in time and in connections, so that idle
// keep-alive connections, slow headers (slowloris) and slow bodies cannot hold a server's file
// descriptors for ever and starve its other clients.
//
// Limits holds the timeouts net/http applies (ReadHeaderTimeout, ReadTimeout, WriteTimeout,
// IdleTimeout) and a bound on the connections served at once. Listen returns an *http.Server with
// those timeouts and a listener that accepts at most MaxConns connections: further connections wait
// in the kernel's accept queue (they hold no descriptor of ours), and while one waits, the
// connection idle the longest is closed to make room for it. A connection that sends nothing useful
// is cut by the read timeouts, so a slot always frees within ReadTimeout or IdleTimeout.
//
//	srv, ln, err := httpbound.Listen("127.0.0.1:0", handler, httpbound.Limits{Write: 2 * time.Minute})
//	if err != nil { ... }
//	go srv.Serve(ln)
//	defer srv.Close()
package httpbound
