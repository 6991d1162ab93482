package html

import "html/template"

// pageTemplate renders a report. html/template escapes every value in its context (text, attribute,
// URL), inside the inline SVG too; nothing is passed as template.HTML.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML + diagramSVG + latencySVG))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 1em 2em 3em; max-width: 1500px; color: #1d2330; background: #fff; }
h1 { font-size: 1.5em; margin: .4em 0; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #d5d9e0; padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 .4em; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
code { background: #f2f4f7; padding: 0 .25em; border-radius: 3px; word-break: break-all; }
nav a { margin-right: 1em; }
.verdict { display: inline-block; padding: .3em .8em; border-radius: 4px; font-weight: 700; color: #fff; }
.verdict.ok { background: #1f7a3a; } .verdict.bad { background: #b3261e; } .verdict.inc { background: #6b5b00; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d5d9e0; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f2f4f7; font-weight: 600; }
table.facts th { width: 16em; }
table.counts td { text-align: right; min-width: 3em; }
.matrix td { min-width: 8.5em; font-size: .9em; }
.matrix td.c-pass { background: #e7f5ea; } .matrix td.c-fail { background: #fbd9d6; border: 2px solid #b3261e; }
.matrix td.c-warn { background: #fde8c8; border: 2px solid #c46a00; } .matrix td.c-xfail { background: #efe6f7; border: 2px dashed #6d3c99; }
.matrix td.c-inc { background: #eceff3; border: 2px dashed #59636e; } .matrix td.c-none { background: #fafafa; color: #8a939e; }
.matrix .replay { display: block; margin-top: .2em; font-size: .8em; }
.s-pass { color: #1f7a3a; } .s-fail { color: #b3261e; font-weight: 700; } .s-warn { color: #c46a00; font-weight: 700; }
.s-xfail { color: #6d3c99; } .s-inc { color: #59636e; font-weight: 700; }
.evidence { margin: 0; padding-left: 1.2em; } .evidence li { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8em; }
.failure { border-left: 4px solid #b3261e; padding-left: 1em; margin: 1.5em 0; }
.scroll { overflow: auto; max-height: 85vh; border: 1px solid #d5d9e0; }
.legend span { margin-right: 1.2em; font-size: .9em; }
.sw { display: inline-block; width: 1em; height: .8em; vertical-align: middle; margin-right: .3em; border: 1px solid #999; }
.cov td { text-align: right; min-width: 4em; } .cov td:first-child { text-align: left; }
.cov .h0 { color: #b0b6be; } .cov .h1 { background: #fff1c9; } .cov .h2 { background: #ffd27a; } .cov .h3 { background: #f5a142; font-weight: 700; }
.cov .reach { background: #eef3fb; }
.note { color: #59636e; font-size: .9em; }
.reasons { margin: .4em 0 1em; padding-left: 1.2em; } .reasons li { margin: .15em 0; }
svg text { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; fill: #1d2330; }
svg .lanehead, svg .colhead { font-family: system-ui, sans-serif; font-size: 12px; font-weight: 600; text-anchor: middle; }
svg .colhead { text-anchor: start; }
svg .lifeline { stroke: #9aa3ad; stroke-dasharray: 4 3; }
svg .headrule { stroke: #d5d9e0; }
svg .time { fill: #59636e; }
svg .msg { stroke: #2c5fa8; stroke-width: 1.5; } svg .msg.ans { stroke-dasharray: 5 3; stroke: #5b7fb5; }
svg .head { fill: #2c5fa8; }
svg .alabel { font-size: 10px; text-anchor: middle; fill: #2c5fa8; }
svg .dot { fill: #3d4653; } svg .fault { fill: #d0271d; stroke: #7a1510; } svg .del { stroke: #d0271d; stroke-width: 3; }
svg .band { fill: none; } svg .brk .band { fill: #fbd9d6; stroke: #b3261e; } svg .flt .band { fill: #fdeeee; } svg .cit .band { fill: #fff6d6; }
svg .brk text.step, svg .brkmark { font-weight: 700; fill: #b3261e; } svg .flt text.step { fill: #9c1c14; }
svg .fold text.step { fill: #7a8390; font-style: italic; }
svg .gap { stroke: #c4cad2; stroke-dasharray: 2 4; }
svg .bar { fill: #2c5fa8; } svg .bar.never { fill: #b3261e; } svg .axis { stroke: #59636e; } svg .ticklabel { font-size: 10px; text-anchor: middle; fill: #59636e; }
svg .ylabel { font-size: 10px; text-anchor: end; fill: #59636e; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<nav><a href="#summary">summary</a>{{if .Failures}}<a href="#failures">failures</a>{{end}}{{if .Matrices}}<a href="#matrix">matrix</a>{{end}}{{if .Rules}}<a href="#rules">rules</a>{{end}}{{if .Coverage}}<a href="#coverage">fault coverage</a>{{end}}{{if .Latency}}<a href="#latency">convergence latency</a>{{end}}</nav>

<h2 id="summary">Summary</h2>
<p><span class="verdict {{.ExitClass}}" id="exit-verdict">{{.ExitWord}} (exit {{.Exit}})</span> {{.ExitText}}</p>
{{- if .Reasons}}
<ul class="reasons" id="reasons">
{{- range .Reasons}}<li class="reason" data-kind="{{.Kind}}"><b class="{{.Class}}">{{.Kind}}</b> {{if .Anchor}}<a href="#{{.Anchor}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</li>{{end}}
</ul>
{{- end}}
<table class="facts">
{{- if .Command}}<tr><th>command</th><td><code>{{.Command}}</code></td></tr>{{end}}
{{- range .Facts}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}
</table>
<table class="counts"><tr>{{range .Counts}}<th>{{.Status}}</th>{{end}}</tr><tr>{{range .Counts}}<td>{{.N}}</td>{{end}}</tr></table>
{{- if eq .Kind "conformance"}}
<p class="note">Verdicts: <b>pass</b> the rule was met in every situation observed; <b>fail</b> the rule was not met; <b>inconclusive</b> the endpoint's behaviour could not be observed in full. MUST rules not met gate the exit code; SHOULD rules gate only with --strict; MAY rules are informational.</p>
{{- else}}
<p class="note">Verdicts: <b>pass</b>; <b>fail</b>; <b>xfail</b> an expected failure (the scenario's <code>expect</code>); <b>xpass</b> an expected failure that did not happen; <b>inconclusive</b> a run cut short by its budget. MUST failures and xpass gate the exit code; SHOULD failures gate only with --strict.</p>
{{- end}}

{{- if .Failures}}
<h2 id="failures">Failures</h2>
<p class="note legend">Each diagram is drawn from the run's trace, one row per step in trace order (not to scale; the time column gives virtual time, a dotted rule a pause of more than 30 s). <span>→ message</span><span>⇢ answer (dashed)</span><span><span class="s-fail">◆</span> injected fault</span><span><span class="s-fail">✕</span> instance deleted</span><span><i class="sw" style="background:#fbd9d6"></i>a property breaks here</span><span><i class="sw" style="background:#fff6d6"></i>cited by the evidence</span> Repeated steps are folded as <code>simrun explain</code> folds them; hover a row for its record.</p>
{{- range .Failures}}
<div class="failure" id="{{.Anchor}}">
<h3>{{.Scenario}} · mode {{.Mode}} · seed {{.Seed}}</h3>
<p>replay: <code>{{.Replay}}</code>{{if .Shrunk}}<br><span class="note">{{.Shrunk}}</span>{{end}}</p>
<table class="rules">
<tr><th>property</th><th>level</th><th>verdict</th><th>evidence</th></tr>
{{- range .Verdicts}}
<tr><td><b>{{.ID}}</b> {{.Name}}</td><td>{{.Level}}</td><td class="{{.Class}}">{{.Status}}</td><td><ul class="evidence">{{range .Evidence}}<li>{{.}}</li>{{end}}</ul></td></tr>
{{- end}}
</table>
{{- with .Diagram}}{{template "diagram" .}}{{end}}
</div>
{{- end}}
{{- if .More}}<p class="note">{{.More}} more failing run(s) are not drawn; the matrix gives their replay commands.</p>{{end}}
{{- end}}

{{- if .Matrices}}
<h2 id="matrix">Property x mode matrix</h2>
<p class="note legend"><span><i class="sw" style="background:#fbd9d6"></i>fails (gates)</span><span><i class="sw" style="background:#fde8c8"></i>fails (SHOULD, does not gate)</span><span><i class="sw" style="background:#efe6f7"></i>expected failure</span><span><i class="sw" style="background:#eceff3"></i>inconclusive</span><span><i class="sw" style="background:#e7f5ea"></i>passes</span> A failing cell names its smallest failing seed, links to its sequence diagram when there is one, and gives the command that replays it.</p>
{{- range .Matrices}}
<h3>{{.Scenario}}</h3>
<table class="matrix">
<tr><th>property</th>{{range .Modes}}<th>{{.}}</th>{{end}}</tr>
{{- range .Rows}}
<tr><th>{{.Property}} {{.Name}} <span class="note">{{.Level}}</span></th>
{{- range .Cells}}
<td class="{{.Class}}"{{if .Title}} title="{{.Title}}"{{end}}>{{if .Missing}}not run{{else}}{{range $i, $c := .Counts}}{{if $i}} · {{end}}{{$c.N}} {{$c.Status}}{{end}}
{{- if .Failing}}<br>smallest failing seed {{if .Anchor}}<a href="#{{.Anchor}}">{{.Seed}}</a>{{else}}{{.Seed}}{{end}}<code class="replay">{{.Replay}}</code>{{end}}{{end}}</td>
{{- end}}</tr>
{{- end}}
</table>
{{- end}}
{{- end}}

{{- if .Rules}}
<h2 id="rules">Rules</h2>
<table class="rules">
<tr><th>rule</th><th>name</th><th>level</th><th>statement</th><th>verdict</th><th>situations observed</th><th>observed</th></tr>
{{- range .Rules}}
<tr id="rule-{{.ID}}"><td><b>{{.ID}}</b></td><td>{{.Name}}</td><td>{{.Level}}</td><td class="statement">{{.Statement}}</td><td class="{{.Class}}">{{.Status}}</td><td>{{.Checked}}</td><td>{{if .Evidence}}<ul class="evidence">{{range .Evidence}}<li>{{.}}</li>{{end}}</ul>{{end}}</td></tr>
{{- end}}
</table>
{{- end}}

{{- with .Coverage}}
<h2 id="coverage">Fault x protocol step coverage</h2>
<p class="note">How often each injected fault fired at each fault point of PROTOCOL.md section 6 (firings of {{.FiringRuns}} run(s)), and how often the runs reached each point (sync.point records of {{.Traced}} traced run(s)). <i>elsewhere</i>: faults on links, endpoints and timers.</p>
<table class="cov">
<tr><th>fault</th>{{range .Points}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{- range .Rows}}
<tr><td title="{{.Doc}}">{{.Fault}}</td>{{range .Cells}}<td class="{{.Class}}">{{.N}}</td>{{end}}<td>{{.Total}}</td></tr>
{{- else}}
<tr><td colspan="{{len .Points}}">no fault fired</td><td>0</td></tr>
{{- end}}
<tr><th>point reached</th>{{range .Reached}}<td class="{{.Class}}">{{if eq .Class "h0"}}–{{else}}{{.N}}{{end}}</td>{{end}}<td></td></tr>
</table>
{{- end}}

{{- with .Latency}}
<h2 id="latency">P13 convergence latency</h2>
<p>{{.N}} run(s) converged{{if .N}}: min {{.Min}}, median {{.Median}}, p95 {{.P95}}, max {{.Max}}{{end}}{{if .NotConverged}}; {{.NotConverged}} never converged{{end}}.{{if .Log}} <span class="note">Bins grow by 1-2-5 steps (a log scale): latencies span several orders of magnitude.</span>{{end}}</p>
{{template "latency" .}}
{{- end}}

<p class="note">Written by {{.Harness}}. This page is self-contained: it loads nothing from elsewhere.</p>
</body>
</html>
`

const diagramSVG = `{{define "diagram"}}
<p class="note">{{.Shown}} of {{.Steps}} steps drawn.</p>
<div class="scroll">
<svg xmlns="http://www.w3.org/2000/svg" id="{{.ID}}" class="seq" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Label}}">
<title>{{.Label}}</title>
{{- range .Lanes}}<line class="lifeline" x1="{{.X}}" y1="{{.Y1}}" x2="{{.X}}" y2="{{.Y2}}"/>{{end}}
{{- range $y := .HeaderYs}}<g class="header"><text class="colhead" x="{{$.TextX}}" y="{{$y}}">step</text>{{range $.Lanes}}<text class="lanehead" x="{{.X}}" y="{{$y}}">{{.Label}}<title>{{.Key}}</title></text>{{end}}<line class="headrule" x1="0" y1="{{$y}}" x2="{{$.Width}}" y2="{{$y}}" transform="translate(0,8)"/></g>{{end}}
{{- range .Rows}}
<g class="row {{.Class}}"{{if .Anchor}} id="{{.Anchor}}"{{end}}><title>{{.Title}}</title>
<rect class="band" x="{{.BandX}}" y="{{.BandY}}" width="{{.BandW}}" height="{{.BandH}}"/>
{{- if .Gap}}<line class="gap" x1="0" y1="{{.GapY}}" x2="{{$.Width}}" y2="{{.GapY}}"/>{{end}}
<text class="time" x="6" y="{{.TextY}}">{{.Time}}</text>
{{- with .Arrow}}<line class="msg{{if .Dashed}} ans{{end}}" x1="{{.X1}}" y1="{{.Y}}" x2="{{.X2}}" y2="{{.Y}}"/><polygon class="head" points="{{.Head}}"/><text class="alabel" x="{{.LX}}" y="{{.LY}}">{{.Label}}</text>{{end}}
{{- with .Mark}}{{if eq .Kind "fault"}}<polygon class="fault" points="{{.Points}}"/>{{else if eq .Kind "delete"}}<path class="del" d="M {{.X}} {{.Y}} m -6 -6 l 12 12 m 0 -12 l -12 12"/>{{else}}<circle class="dot" cx="{{.X}}" cy="{{.Y}}" r="3.5"/>{{end}}{{end}}
<text class="step" x="{{$.TextX}}" y="{{.TextY}}">{{if .Marks}}<tspan class="brkmark">{{.Marks}}</tspan>{{end}}{{.Text}}</text>
</g>
{{- end}}
</svg>
</div>
{{end}}`

const latencySVG = `{{define "latency"}}
<svg xmlns="http://www.w3.org/2000/svg" id="latency-chart" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="histogram of P13 convergence latency">
<title>histogram of P13 convergence latency (metrics.convergence_ms)</title>
{{- range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}
<line class="axis" x1="{{.Left}}" y1="{{.BaseY}}" x2="{{.Right}}" y2="{{.BaseY}}"/>
<line class="axis" x1="{{.Left}}" y1="{{.TopY}}" x2="{{.Left}}" y2="{{.BaseY}}"/>
{{- range .XTicks}}<text class="ticklabel" x="{{.X}}" y="{{.Y}}">{{.Label}}</text>{{end}}
{{- range .YTicks}}<text class="ylabel" x="{{.X}}" y="{{.Y}}">{{.Label}}</text>{{end}}
<text class="ylabel" x="{{.Left}}" y="{{.TopY}}" transform="translate(-8,-4)">runs</text>
</svg>
{{end}}`
