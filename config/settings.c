/*
 * Settings: "key = value" lines under [defaults] or, indented, under a
 * function.  Values are read raw to the end of the line, so each kind of
 * value (a duration, a size, an errno name) has its own small reader and
 * its own error message.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct value {
	struct miso__parser	*p;
	const char		*s;
	size_t			 n;
	int			 line, col;
	const char		*key;
};

struct unit {
	const char	*name;
	uint64_t	 mult;
};

static const struct unit time_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { NULL, 0 }
};

static const struct unit size_units[] = {
	{ "", 1 }, { "K", 1ULL << 10 }, { "M", 1ULL << 20 },
	{ "G", 1ULL << 30 }, { "T", 1ULL << 40 }, { NULL, 0 }
};

static int
bad(struct value *v, const char *what)
{
	miso__error(v->p, v->line, v->col, "%s '%.*s' for '%s'", what,
	    (int)(v->n > 64 ? 64 : v->n), v->s, v->key);
	return -1;
}

static int
is_word(struct value *v, const char *w)
{
	return strlen(w) == v->n && memcmp(v->s, w, v->n) == 0;
}

/* Leading decimal digits; returns how many, or 0 on none or overflow. */
static size_t
digits(const char *s, size_t n, uint64_t *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (*out > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		*out = *out * 10 + (uint64_t)(s[i] - '0');
	}
	return i;
}

static int
with_unit(struct value *v, const struct unit *u, uint64_t *out,
    const char *which)
{
	uint64_t n;
	size_t i = digits(v->s, v->n, &n), j;

	if (i == 0)
		return bad(v, "bad number");
	j = i;
	while (j < v->n && (v->s[j] == ' ' || v->s[j] == '\t'))
		j++;
	if (j == v->n && n == 0) {
		*out = 0;
		return 0;
	}
	for (; u->name != NULL; u++)
		if (strlen(u->name) == v->n - j &&
		    memcmp(u->name, v->s + j, v->n - j) == 0)
			break;
	if (u->name == NULL && j == v->n) {
		miso__error(v->p, v->line, v->col + (int)j, "'%s' needs a "
		    "unit: %s", v->key, which);
		return -1;
	}
	if (u->name == NULL) {
		miso__error(v->p, v->line, v->col + (int)j, "unknown unit "
		    "'%.*s' for '%s': use %s", (int)(v->n - j > 16 ? 16 :
		    v->n - j), v->s + j, v->key, which);
		return -1;
	}
	if (n > UINT64_MAX / u->mult)
		return bad(v, "value too large");
	*out = n * u->mult;
	return 0;
}

static int
duration(struct value *v, uint64_t *out)
{
	return with_unit(v, time_units, out, "ms, s or m");
}

static int
size(struct value *v, uint64_t *out)
{
	return with_unit(v, size_units, out, "K, M or G");
}

static int
count(struct value *v, uint64_t *out, uint64_t min, uint64_t max)
{
	if (digits(v->s, v->n, out) != v->n || v->n == 0)
		return bad(v, "bad number");
	if (*out < min || *out > max)
		return bad(v, "out of range:");
	return 0;
}

static int
on_what(struct value *v, enum miso__conf_on *out, int raise)
{
	if (is_word(v, "fail"))
		*out = MISO__ON_FAIL;
	else if (is_word(v, "abort"))
		*out = MISO__ON_ABORT;
	else if (raise && is_word(v, "raise"))
		*out = MISO__ON_RAISE;
	else
		return bad(v, raise ? "expected fail, abort or raise, not" :
		    "expected fail or abort, not");
	return 0;
}

static int
errno_value(struct value *v, int *out)
{
	char name[64];
	uint64_t n;

	if (v->n > 0 && v->s[0] >= '0' && v->s[0] <= '9') {
		if (count(v, &n, 0, 4095) == -1)
			return -1;
		*out = (int)n;
		return 0;
	}
	if (v->n == 0 || v->n >= sizeof(name))
		return bad(v, "unknown errno name");
	memcpy(name, v->s, v->n);
	name[v->n] = '\0';
	if ((*out = miso__errno_value(name)) == -1)
		return bad(v, "unknown errno name");
	return 0;
}

/*
 * An integer in C syntax: "-4", "0x10", "0xffffffffffffffff", or NULL.
 * Its magnitude is in *mag (up to UINT64_MAX), its sign in *neg; *out
 * is the value in 64-bit two's complement, as C would convert it.
 */
static int
integer_ex(struct value *v, int64_t *out, int *neg, uint64_t *mag)
{
	char buf[72], *end;
	const char *s = buf;

	*neg = 0;
	*mag = 0;
	if (is_word(v, "NULL")) {
		*out = 0;
		return 0;
	}
	if (v->n == 0 || v->n >= sizeof(buf))
		return -1;
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	if (*s == '-') {
		*neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*mag = strtoull(s, &end, 0);
	if (*end != '\0' || errno != 0 || end == s)
		return -1;
	if (*neg && *mag > (uint64_t)INT64_MAX + 1)
		return -1;
	*out = (int64_t)(*neg ? 0 - *mag : *mag);
	return 0;
}

/* As integer_ex(), for a value that must fit int64_t. */
static int
integer(struct value *v, int64_t *out, int *is_int)
{
	uint64_t mag;
	int neg;

	*is_int = 0;
	if (integer_ex(v, out, &neg, &mag) == -1 ||
	    (!neg && mag > (uint64_t)INT64_MAX))
		return -1;
	*is_int = 1;
	return 0;
}

static int
floating(struct value *v, double *out)
{
	char buf[72], *end;

	if (v->n == 0 || v->n >= sizeof(buf))
		return bad(v, "bad number");
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	*out = strtod(buf, &end);
	if (*end != '\0' || end == buf || buf[0] == ' ')
		return bad(v, "bad number");
	return 0;
}

static int
in_range(const struct miso__conf_type *t, int64_t n)
{
	int bits = (int)t->size * 8;

	if (t->kind == MISO__K_SINT && bits < 64)
		return n >= -(INT64_C(1) << (bits - 1)) &&
		    n < (INT64_C(1) << (bits - 1));
	if (t->kind == MISO__K_UINT && bits < 64)
		return n >= 0 && n < (INT64_C(1) << bits);
	if (t->kind == MISO__K_UINT)
		return n >= 0;
	return 1;
}

/*
 * Whether a 'fail' value fits the return type t: a signed integer its
 * range, an unsigned one 0 to its maximum or -1 (its maximum, as C
 * converts it), a pointer any 64-bit pattern.
 */
static int
fits(const struct miso__conf_type *t, int neg, uint64_t mag)
{
	int bits = (int)t->size * 8;

	if (t->kind == MISO__K_SINT)
		return neg ? mag <= UINT64_C(1) << (bits - 1) :
		    mag < UINT64_C(1) << (bits - 1);
	if (t->kind == MISO__K_UINT)
		return neg ? mag == 1 :
		    bits >= 64 || mag < UINT64_C(1) << bits;
	return 1;
}

static int
fail_value(struct value *v, struct miso__conf_policy *pol,
    const struct miso__conf_func *fn)
{
	uint64_t mag;
	int is_int, neg;

	pol->has_fail = 1;
	if (fn == NULL) {
		if (integer(v, &pol->fail_int, &is_int) == 0) {
			pol->fail_float = (double)pol->fail_int;
			return 0;
		}
		if (floating(v, &pol->fail_float) == -1)
			return -1;
		pol->fail_int = fabs(pol->fail_float) < 9e18 &&
		    pol->fail_float == floor(pol->fail_float) ?
		    (int64_t)pol->fail_float : 0;
		return 0;
	}
	if (fn->ret->kind == MISO__K_VOID || fn->ret->kind == MISO__K_STRUCT) {
		miso__error(v->p, v->line, v->col, "'fail' needs a function "
		    "that returns a scalar or a pointer; '%s' does not",
		    fn->name);
		return -1;
	}
	if (fn->ret->kind == MISO__K_FLOAT)
		return floating(v, &pol->fail_float);
	if (integer_ex(v, &pol->fail_int, &neg, &mag) == -1)
		return bad(v, "bad number");
	if (!fits(fn->ret, neg, mag))
		return bad(v, "out of range of the return type:");
	/* -1 for an unsigned type is its maximum, as in C. */
	if (neg && fn->ret->kind == MISO__K_UINT &&
	    fn->ret->size < 8)
		pol->fail_int = (INT64_C(1) << (fn->ret->size * 8)) - 1;
	return 0;
}

static int
version(struct value *v, struct miso__conf_func *fn)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!(v->s[i] == '_' || v->s[i] == '.' || v->s[i] == '@' ||
		    (v->s[i] >= '0' && v->s[i] <= '9') ||
		    ((v->s[i] | 0x20) >= 'a' && (v->s[i] | 0x20) <= 'z')))
			break;
	if (i < v->n || v->n == 0)
		return bad(v, "bad symbol version");
	fn->version = miso__strndup(v->p, v->s, v->n);
	return 0;
}

static int
jitter(struct value *v, unsigned *out)
{
	uint64_t n;

	if (v->n > 0 && v->s[v->n - 1] == '%')
		v->n--;
	if (count(v, &n, 0, 100) == -1)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
mode(struct value *v, enum miso__conf_mode *out)
{
	if (is_word(v, "fork"))
		*out = MISO__MODE_FORK;
	else if (is_word(v, "worker"))
		*out = MISO__MODE_WORKER;
	else
		return bad(v, "expected fork or worker, not");
	return 0;
}

static const struct {
	const char	*key;
	unsigned	 bit;
} keys[] = {
	{ "timeout", MISO__POL_TIMEOUT }, { "mem_limit", MISO__POL_MEM_LIMIT },
	{ "on_crash", MISO__POL_ON_CRASH },
	{ "on_timeout", MISO__POL_ON_TIMEOUT }, { "errno", MISO__POL_ERRNO },
	{ "fail", MISO__POL_FAIL }, { "mode", MISO__POL_MODE },
	{ "workers", MISO__POL_WORKERS }, { "max_calls", MISO__POL_MAX_CALLS },
	{ "max_rss", MISO__POL_MAX_RSS }, { "max_age", MISO__POL_MAX_AGE },
	{ "jitter", MISO__POL_JITTER }, { "version", MISO__POL_VERSION },
	{ "queue_timeout", MISO__POL_QUEUE_TIMEOUT },
};

static int
assign(struct value *v, unsigned bit, struct miso__conf_policy *pol,
    struct miso__conf_func *fn)
{
	uint64_t n;

	switch (bit) {
	case MISO__POL_TIMEOUT:	return duration(v, &pol->timeout_ms);
	case MISO__POL_MEM_LIMIT: return size(v, &pol->mem_limit);
	case MISO__POL_ON_CRASH:	return on_what(v, &pol->on_crash, 1);
	case MISO__POL_ON_TIMEOUT: return on_what(v, &pol->on_timeout, 0);
	case MISO__POL_ERRNO:	return errno_value(v, &pol->err);
	case MISO__POL_FAIL:	return fail_value(v, pol, fn);
	case MISO__POL_MODE:	return mode(v, &pol->mode);
	case MISO__POL_MAX_CALLS: return count(v, &pol->max_calls, 0,
				    UINT64_MAX);
	case MISO__POL_MAX_RSS:	return size(v, &pol->max_rss);
	case MISO__POL_MAX_AGE:	return duration(v, &pol->max_age_ms);
	case MISO__POL_JITTER:	return jitter(v, &pol->jitter);
	case MISO__POL_QUEUE_TIMEOUT:
		return duration(v, &pol->queue_timeout_ms);
	case MISO__POL_VERSION:
		if (fn != NULL)
			return version(v, fn);
		miso__error(v->p, v->line, v->col, "'version' belongs under "
		    "a function, not in [defaults]");
		return -1;
	default:
		if (count(v, &n, 1, 1024) == -1)
			return -1;
		pol->workers = (unsigned)n;
		return 0;
	}
}

/* Which policy a setting at this place applies to, or NULL (reported). */
static struct miso__conf_policy *
target(struct miso__parser *p, const struct miso__tok *key,
    struct miso__conf_func **fn)
{
	*fn = NULL;
	if (p->cur != NULL && key->col > 1) {
		*fn = &p->cur->f;
		return &p->cur->f.pol;
	}
	if (p->section == MISO__SEC_DEFAULTS && p->cur == NULL)
		return &p->defaults;
	if (p->cur != NULL)
		miso__error_at(p, key, "indent the settings of '%s' under it",
		    p->cur->f.name);
	else
		miso__error_at(p, key, "a setting belongs in [defaults] or, "
		    "indented, under a function");
	return NULL;
}

static void
unknown_key(struct miso__parser *p, const struct miso__tok *at,
    const char *key)
{
	const char *v[sizeof(keys) / sizeof(keys[0])], *s;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		v[i] = keys[i].key;
	miso__error_at(p, at, "unknown setting '%s'", key);
	if ((s = miso__suggest(key, v, i)) != NULL)
		miso__note(p, at->line, at->col, "did you mean '%s'?", s);
}

/* "key = value" up to the end of the line. */
int
miso__parse_setting(struct miso__parser *p)
{
	struct miso__tok key = miso__next(p);
	struct miso__conf_policy *pol;
	struct miso__conf_func *fn;
	struct value v = { p, NULL, 0, key.line, 0, NULL };
	size_t i;

	while (p->src[p->pos] != '=')
		p->pos++;
	p->pos++;
	v.n = miso__rest_of_line(p, &v.s);
	v.col = (int)(v.s - p->src - p->bol) + 1;
	v.key = miso__tok_str(p, &key);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, v.key) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		unknown_key(p, &key, v.key);
		return -1;
	}
	if (p->lost && key.col > 1)
		return 0;	/* under a declaration that had errors */
	if ((pol = target(p, &key, &fn)) == NULL)
		return -1;
	if (pol->set & keys[i].bit) {
		miso__error_at(p, &key, "'%s' is set twice", v.key);
		return -1;
	}
	if (assign(&v, keys[i].bit, pol, fn) == -1)
		return -1;
	pol->set |= keys[i].bit;
	return 0;
}

void
miso__policy_init(struct miso__conf_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->on_crash = MISO__ON_FAIL;
	pol->on_timeout = MISO__ON_FAIL;
	pol->err = EIO;
	pol->mode = MISO__MODE_FORK;
	pol->workers = 1;
}

/* Fills in what fn did not set from [defaults] and the built-in values. */
void
miso__apply_defaults(struct miso__parser *p, struct miso__conf_func *fn)
{
	const struct miso__conf_policy *d = &p->defaults;
	struct miso__conf_policy *f = &fn->pol;
	unsigned set = f->set;

#define TAKE(bit, field) if (!(set & (bit))) f->field = d->field
	TAKE(MISO__POL_TIMEOUT, timeout_ms);
	TAKE(MISO__POL_MEM_LIMIT, mem_limit);
	TAKE(MISO__POL_ON_CRASH, on_crash);
	TAKE(MISO__POL_ON_TIMEOUT, on_timeout);
	TAKE(MISO__POL_ERRNO, err);
	TAKE(MISO__POL_MODE, mode);
	TAKE(MISO__POL_WORKERS, workers);
	TAKE(MISO__POL_MAX_CALLS, max_calls);
	TAKE(MISO__POL_MAX_RSS, max_rss);
	TAKE(MISO__POL_MAX_AGE, max_age_ms);
	TAKE(MISO__POL_JITTER, jitter);
	TAKE(MISO__POL_QUEUE_TIMEOUT, queue_timeout_ms);
#undef TAKE
	/*
	 * A default 'fail' such as -1 makes no sense as a pointer, and may
	 * not fit every integer type: it applies where it fits.
	 */
	if (set & MISO__POL_FAIL || !(d->set & MISO__POL_FAIL))
		return;
	if (fn->ret->kind == MISO__K_FLOAT) {
		f->has_fail = 1;
		f->fail_float = d->fail_float;
	} else if (miso__is_integer(fn->ret) &&
	    in_range(fn->ret, d->fail_int)) {
		f->has_fail = 1;
		f->fail_int = d->fail_int;
	}
}
