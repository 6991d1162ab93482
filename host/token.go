package host

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token errors. Their texts, and the texts of every error wrapping them, hold a fixed description
// only: never the token, the key or any secret (PAY-4).
var (
	// ErrKeyInvalid: WEBSITE_AUTH_ENCRYPTION_KEY is empty or neither hex nor base64 (TOK-1).
	ErrKeyInvalid = errors.New("host: invalid encryption key")
	// ErrTokenMissing: the request carries no token (TOK-5: 401).
	ErrTokenMissing = errors.New("host: missing token")
	// ErrTokenInvalid: the token is malformed, wrongly signed, expired, not yet valid, or has a wrong
	// issuer or audience (TOK-5: 401).
	ErrTokenInvalid = errors.New("host: invalid token")
	// ErrTokenForbidden: the token is valid but lacks the claim the endpoint needs (TOK-5: 403).
	ErrTokenForbidden = errors.New("host: token lacks the required claim")
)

// Token parties and limits (TOK-3..5).
const (
	// IssuerAppService is the App Service core URI: TOK-3's audience and one of TOK-5's issuers.
	IssuerAppService = "https://appservice.core.azurewebsites.net"
	// IssuerLegion is the Legion core URI: TOK-4's issuer, the only one carrying the platform claim.
	IssuerLegion = "https://legion.core.azurewebsites.net"
	// ClockSkew is the lifetime tolerance of every validation (TOK-5; .NET's default).
	ClockSkew = 5 * time.Minute
	// SiteTokenLifetime is exp - iat of a host-to-FE token (TOK-3).
	SiteTokenLifetime = 5 * time.Minute
	// PlatformTokenMaxLifetime bounds exp - iat of a platform-to-host token (TOK-4).
	PlatformTokenMaxLifetime = time.Hour
)

// ParseKey turns WEBSITE_AUTH_ENCRYPTION_KEY into key bytes (TOK-1): a value of exactly 64 characters
// is hex (32 bytes), anything else standard base64.
func ParseKey(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrKeyInvalid)
	}
	if len(s) == 64 {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: 64 characters but not hex", ErrKeyInvalid)
		}
		return b, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrKeyInvalid)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrKeyInvalid)
	}
	return b, nil
}

// TokenClaims are the claims of a token that validated, or the claims to sign with IssueToken.
type TokenClaims struct {
	Issuer   string
	Audience string
	// IssuedAt, NotBefore and Expires are whole seconds (JWT NumericDate); a zero value is an absent claim.
	IssuedAt, NotBefore, Expires time.Time
	// Platform is the platform claim: the issuer is IssuerLegion (TOK-4, PR #11697).
	Platform bool
}

// IssueSiteToken makes the host's x-ms-site-token for MSG-1 (TOK-3). HS256 signing is deterministic:
// the same key, site and time give the same token.
func IssueSiteToken(key []byte, site string, now time.Time) (string, error) {
	return IssueToken(key, TokenClaims{
		Issuer:    siteURL(site),
		Audience:  IssuerAppService,
		IssuedAt:  now,
		NotBefore: now,
		Expires:   now.Add(SiteTokenLifetime),
	})
}

// IssuePlatformToken makes the platform's token for MSG-3 (TOK-4). The lifetime must be positive and
// at most PlatformTokenMaxLifetime.
func IssuePlatformToken(key []byte, site string, now time.Time, lifetime time.Duration) (string, error) {
	if lifetime <= 0 || lifetime > PlatformTokenMaxLifetime {
		return "", errors.New("host: platform token lifetime must be in (0, 1h]")
	}
	return IssueToken(key, TokenClaims{
		Issuer:    IssuerLegion,
		Audience:  siteURL(site),
		IssuedAt:  now,
		NotBefore: now,
		Expires:   now.Add(lifetime),
	})
}

// IssueToken signs arbitrary claims with HS256 (TOK-2). TOK-3 and TOK-4 tokens come from
// IssueSiteToken and IssuePlatformToken; this is for tests and conformance suites that need a token
// with a wrong issuer, audience or lifetime. Empty strings and zero times leave a claim out
// (Platform is ignored: it is derived from the issuer).
func IssueToken(key []byte, c TokenClaims) (string, error) {
	if len(key) == 0 {
		return "", fmt.Errorf("%w: empty", ErrKeyInvalid)
	}
	claims := jwt.MapClaims{}
	if c.Issuer != "" {
		claims["iss"] = c.Issuer
	}
	if c.Audience != "" {
		// A single string, as the .NET handler writes it (jwt's RegisteredClaims would write an array).
		claims["aud"] = c.Audience
	}
	for _, d := range []struct {
		name string
		t    time.Time
	}{{"iat", c.IssuedAt}, {"nbf", c.NotBefore}, {"exp", c.Expires}} {
		if !d.t.IsZero() {
			claims[d.name] = d.t.Unix()
		}
	}
	// MapClaims marshals with sorted keys, so the token is byte-for-byte deterministic.
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		return "", errors.New("host: cannot sign token")
	}
	return s, nil
}

// ValidateHostToken validates a token presented to the host's admin API (TOK-2, TOK-5): HS256 only,
// exp required, iss one of the four accepted issuers and aud one of the two accepted audiences (both
// compared case-insensitively), ClockSkew of tolerance, time from now. A missing token gives
// ErrTokenMissing; every other rejection wraps ErrTokenInvalid. An empty key rejects every token.
func ValidateHostToken(key []byte, site, token string, now time.Time) (TokenClaims, error) {
	return validateHostToken(key, site, token, now, containsFold)
}

// validateHostToken is ValidateHostToken with TOK-5's audience comparison given (Seams.AudienceMatch).
func validateHostToken(key []byte, site, token string, now time.Time, audience func([]string, string) bool) (TokenClaims, error) {
	u := siteURL(site)
	issuers := []string{IssuerAppService, IssuerLegion, "https://" + site + ".scm.azurewebsites.net", u}
	return validateToken(key, token, now, issuers, []string{u, u + "/azurefunctions"}, audience)
}

// ValidateFrontEndToken is the reference FE's check of MSG-1's token (TOK-5, last sentence): exactly
// TOK-3's issuer and audience, with the same signature and lifetime rules as ValidateHostToken.
func ValidateFrontEndToken(key []byte, site, token string, now time.Time) (TokenClaims, error) {
	return validateToken(key, token, now, []string{siteURL(site)}, []string{IssuerAppService}, containsFold)
}

// RequirePlatform is the platform-claim check of MSG-3 (TOK-4, TOK-5): a valid token of another
// issuer gives ErrTokenForbidden (403).
func RequirePlatform(c TokenClaims) error {
	if !c.Platform {
		return fmt.Errorf("%w: platform", ErrTokenForbidden)
	}
	return nil
}

func validateToken(key []byte, token string, now time.Time, issuers, audiences []string, audience func([]string, string) bool) (TokenClaims, error) {
	if token == "" {
		return TokenClaims{}, ErrTokenMissing
	}
	if len(key) == 0 {
		// No usable key: every token is rejected, as the host does with no keys configured.
		return TokenClaims{}, invalid("no usable key")
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		// One token, one spelling: base64url without padding and without stray bits.
		jwt.WithStrictDecoding(),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(ClockSkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	claims := jwt.MapClaims{}
	parsed, err := parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return key, nil })
	if err != nil {
		return TokenClaims{}, invalid(jwtReason(err))
	}
	// RFC 7515 4.1.11: a header naming critical extensions this validator does not understand (it
	// understands none) makes the token invalid.
	if _, crit := parsed.Header["crit"]; crit {
		return TokenClaims{}, invalid("unsupported critical header")
	}
	iss, err := claims.GetIssuer()
	if err != nil || !containsFold(issuers, iss) {
		return TokenClaims{}, invalid("wrong issuer")
	}
	auds, err := claims.GetAudience()
	if err != nil {
		return TokenClaims{}, invalid("wrong audience")
	}
	aud := ""
	for _, a := range auds {
		if audience(audiences, a) {
			aud = a
			break
		}
	}
	if aud == "" {
		return TokenClaims{}, invalid("wrong audience")
	}
	return TokenClaims{
		Issuer:    iss,
		Audience:  aud,
		IssuedAt:  numericTime(claims.GetIssuedAt()),
		NotBefore: numericTime(claims.GetNotBefore()),
		Expires:   numericTime(claims.GetExpirationTime()),
		Platform:  strings.EqualFold(iss, IssuerLegion),
	}, nil
}

// jwtReason maps jwt's error to a fixed description. jwt's own texts hold no token parts, but a
// fixed vocabulary keeps that true whatever the library does.
func jwtReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature or algorithm"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unverifiable"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "missing required claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "not yet valid"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "invalid claims"
	}
	return "rejected"
}

func invalid(reason string) error { return fmt.Errorf("%w: %s", ErrTokenInvalid, reason) }

func numericTime(d *jwt.NumericDate, err error) time.Time {
	if err != nil || d == nil {
		return time.Time{}
	}
	return d.Time
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func siteURL(site string) string { return Site{Name: site}.URL() }

// TokenFromHeaders finds the token of a request (reference section 4.2): x-ms-site-token is
// preferred, else "Authorization: Bearer <token>". Header names are case-insensitive; "" when none.
func TokenFromHeaders(h map[string]string) string {
	if t := strings.TrimSpace(header(h, "x-ms-site-token")); t != "" {
		return t
	}
	auth := strings.TrimSpace(header(h, "Authorization"))
	if scheme, rest, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
}

// header looks a header up case-insensitively. An exact match wins; otherwise, among several case
// variants, the first in sorted order, so the answer never depends on map iteration order.
func header(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	names := make([]string, 0, len(h))
	for n := range h {
		if strings.EqualFold(n, name) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return h[names[0]]
}
