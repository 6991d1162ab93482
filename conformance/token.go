package conformance

import (
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/syncsim/syncsim/host"
)

// TokenCheck is the harness's judgement of a fetch's token against TOK-2 and TOK-4 (MESH-3).
type TokenCheck struct {
	// Valid reports a token MESH-3 accepts: HS256 with the site's key, iss the platform's
	// (https://legion.core.azurewebsites.net), aud exactly https://{site}.azurewebsites.net, exp, nbf
	// and iat all present, not expired or not yet valid (5 minutes of skew), exp - iat at most 1 hour.
	Valid bool
	// Problem says what was wrong ("missing", "invalid (wrong audience)", "no iat claim (TOK-2)", ...).
	Problem string
	// Status is the site's answer to a fetch with this token: 200, 401, or 403 for a valid token of
	// another issuer (TOK-5).
	Status int
	// Issuer and Audience are the claims as the token carries them, read without trusting it, and
	// kept only when they look like URLs (they are evidence, never a credential).
	Issuer, Audience string
}

// expectedAudience is TOK-4's aud for a site.
func expectedAudience(site string) string { return host.Site{Name: site}.URL() }

// checkPlatformToken judges a MSG-3 token for site (TOK-2, TOK-4, TOK-5's answers).
func checkPlatformToken(key []byte, site, token string, now time.Time) TokenCheck {
	if token == "" {
		return TokenCheck{Problem: "missing", Status: 401}
	}
	tc := TokenCheck{Status: 401}
	tc.Issuer, tc.Audience = unverifiedClaims(token)
	c, err := host.ValidateHostToken(key, site, token, now)
	if err != nil {
		tc.Problem = "invalid (" + strings.TrimPrefix(err.Error(), host.ErrTokenInvalid.Error()+": ") + ")"
		return tc
	}
	if host.RequirePlatform(c) != nil {
		tc.Problem, tc.Status = "not the platform issuer", 403
		return tc
	}
	switch {
	case !strings.EqualFold(c.Audience, expectedAudience(site)):
		// TOK-5 lets a host take the /azurefunctions form; TOK-4 names the site URL itself.
		tc.Problem = "invalid (wrong audience for TOK-4)"
	case c.IssuedAt.IsZero():
		tc.Problem = "no iat claim (TOK-2)"
	case c.NotBefore.IsZero():
		tc.Problem = "no nbf claim (TOK-2)"
	case c.IssuedAt.After(now.Add(host.ClockSkew)):
		tc.Problem = "iat in the future (TOK-2)"
	case !c.Expires.After(c.IssuedAt):
		tc.Problem = "exp not after iat (TOK-4)"
	case c.Expires.Sub(c.IssuedAt) > host.PlatformTokenMaxLifetime:
		tc.Problem = "lifetime " + c.Expires.Sub(c.IssuedAt).String() + " over 1h (TOK-4)"
	default:
		return TokenCheck{Valid: true, Status: 200, Issuer: tc.Issuer, Audience: tc.Audience}
	}
	return tc
}

// urlClaim keeps a claim only when it looks like a URL: anything else a token carries stays out of
// evidence.
var urlClaim = regexp.MustCompile(`^https?://[A-Za-z0-9._~:/-]{1,120}$`)

// unverifiedClaims reads iss and aud from a token without checking it, for evidence only.
func unverifiedClaims(token string) (iss, aud string) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", ""
	}
	if s, err := claims.GetIssuer(); err == nil && urlClaim.MatchString(s) {
		iss = s
	}
	if a, err := claims.GetAudience(); err == nil && len(a) > 0 && urlClaim.MatchString(a[0]) {
		aud = a[0]
	}
	return iss, aud
}

// siteAudience is TOK-4's audience, https://{site}.azurewebsites.net.
var siteAudience = regexp.MustCompile(`^https://([a-z0-9-]{1,60})\.azurewebsites\.net/?$`)

// siteOfAudience is the site name an audience names, or "".
func siteOfAudience(aud string) string {
	m := siteAudience.FindStringSubmatch(strings.ToLower(aud))
	if m == nil {
		return ""
	}
	return m[1]
}

// SiteSource says how the mesh under test was told the site's name, for token failures' fixes.
type SiteSource int

// Site sources.
const (
	// SiteUnknown: a library caller's own mesh; nothing is assumed.
	SiteUnknown SiteSource = iota
	// SiteNotTold: a running mesh (--mesh-url), configured by its owner: --site tells the harness.
	SiteNotTold
	// SiteInCommand: the mesh's command got the name in {site} (--mesh-cmd).
	SiteInCommand
	// SiteNotInCommand: the mesh's command has no {site} placeholder.
	SiteNotInCommand
)

// tokenHint explains a fetch's token failure for a person: the issuer and audience expected and
// received and, for a wrong audience that names another site, what fixes it, by how the mesh was
// told the site's name.
func tokenHint(site string, src SiteSource, f Fetch) string {
	if f.TokenValid || f.TokenProblem == "missing" {
		return ""
	}
	want := "claims expected iss " + host.IssuerLegion + ", aud " + expectedAudience(site)
	got := "received iss " + orNone(f.Issuer) + ", aud " + orNone(f.Audience)
	hint := want + "; " + got
	other := siteOfAudience(f.Audience)
	if other == "" || other == site {
		return hint
	}
	switch src {
	case SiteNotTold:
		hint += " (fix: if the mesh serves site " + other + ", run with --site " + other + ")"
	case SiteInCommand:
		hint += " (the mesh's command was given {site} = " + site + ": its tokens must name that site)"
	case SiteNotInCommand:
		hint += " (fix: pass {site} to the mesh's command, or run with --site " + other + ")"
	}
	return hint
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
