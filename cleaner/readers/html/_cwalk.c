/* The render walk (walk.py + layout.py + content_score.py) in C, for pages without
 * markers: the same lines and cues as the Python walk, about three times as fast
 * (notes in cwalk.py). The Python walk stays the reference: every change to the
 * layout rules is made there and here, and tests/test_cwalk.py renders the datasets'
 * held-out pages and generated tag soups both ways and wants them identical.
 *
 * Why it can be fast: it reads selectolax's tree by its struct fields instead of
 * through a Python object per node. Those layouts are private, so they are copied
 * here from one release, selectolax 1.0.2 (its sdist):
 *   - the LexborNode object: struct __pyx_obj_10selectolax_6lexbor_LexborNode and its
 *     vtable in selectolax/lexbor.c (declared in selectolax/lexbor.pxd);
 *   - lexbor 3.1's lxb_dom_node, lxb_dom_element, lxb_dom_attr and
 *     lxb_dom_character_data (lexbor/source/lexbor/dom/interfaces/{node,element,attr,
 *     character_data}.h) and lexbor_str_t (lexbor/core/str.h), as bundled there.
 * Attribute names are not read from lexbor's attribute hash tables: lexbor's own
 * exported lxb_dom_attr_qualified_name() gives them (found with dlsym in selectolax's
 * loaded module), so the names are exactly those of node.attributes.
 *
 * A selectolax release may move any of these, so cwalk.py uses this walk only for a
 * release on its allow-list, after init() has checked LexborNode's object size and
 * an import-time probe has compared what this file reads of a test page (tag ids,
 * text, attributes, child and sibling links) and its full layout with selectolax's
 * answers and the Python walk's; anything else and the Python walk renders.
 *
 * The output is what Layout.finish() and content_score.with_content_scores give:
 * lines, cues (DomCues or None), and the element tree (line_blocks, parents, ends,
 * weights). Python is called back only where it is rare or cached: class_tokens()
 * once per class/id/role/itemprop value, non-ASCII style and aria-hidden values, <select> labels,
 * DomCues(), and round() for top_share.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

/* ---- lexbor's structs, as lexbor 3.1 in selectolax 1.0.2 declares them ----
 * Only the leading fields this file reads are copied; a struct is always reached
 * through a pointer lexbor made, so the fields after them need not be declared. */

/* struct lxb_dom_node (dom/interfaces/node.h); lxb_dom_event_target is one pointer */
typedef struct lx_node lx_node;
struct lx_node {
    void *events;            /* lxb_dom_event_target_t */
    uintptr_t local_name;    /* the tag id */
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    lx_node *next, *prev, *parent, *first_child, *last_child;
    void *user;
    int type;                /* lxb_dom_node_type_t */
};

typedef struct { unsigned char *data; size_t length; } lx_str;  /* lexbor_str_t */

/* struct lxb_dom_attr (dom/interfaces/attr.h); lxb_dom_attr_id_t is a uintptr_t */
typedef struct lx_attr lx_attr;
struct lx_attr {
    lx_node node;
    uintptr_t upper_name, qualified_name;
    lx_str *value;
    void *owner;
    lx_attr *next, *prev;
};

/* struct lxb_dom_element (dom/interfaces/element.h), up to last_attr */
typedef struct {
    lx_node node;
    uintptr_t upper_name, qualified_name;
    lx_str *is_value;
    lx_attr *first_attr, *last_attr;
} lx_element;

/* struct lxb_dom_character_data (dom/interfaces/character_data.h): text nodes */
typedef struct { lx_node node; lx_str data; } lx_chardata;

enum { NODE_ELEMENT = 1, NODE_TEXT = 3 };

/* selectolax's LexborNode object: struct __pyx_obj_10selectolax_6lexbor_LexborNode in
 * selectolax 1.0.2's lexbor.c. init() refuses a LexborNode type of another size. The
 * vtable's first entry is LexborNode.new(node, parser), Cython's constructor of a node
 * object: used for <select> labels (walk._select_label) and the probe. */
typedef struct {
    PyObject_HEAD
    void **vtab;
    lx_node *node;
    PyObject *parser;
    int is_fragment_root;
    int is_template_content;
} py_lexbor_node;
typedef PyObject *(*node_new_f)(lx_node *, PyObject *);
typedef const unsigned char *(*qname_f)(const lx_attr *, size_t *);

/* ---- tables set by init() ---- */

/* tags.py's element kinds and separations, the same numbers in the same order: the
 * first check page of cwalk.py holds every kind, so a mismatch fails the check */
enum { INLINE, LINK, LINE, PARAGRAPH, LIST, ITEM, PRE, SKIP, BREAK, RULE, IMAGE, INPUT,
       SELECT, DIALOG };
enum { NEWLINE = 1, BLANK = 2 };
#define NTAGS 1024
#define MAX_BULLETS 16
#define NTOKENS 64

static int ready = 0;
static qname_f attr_qname = NULL;
static PyTypeObject *node_type = NULL;
static uintptr_t text_id = 0;
static unsigned char tag_kind[NTAGS];
static uint32_t tag_inside[NTAGS];
static PyObject *tag_name[NTAGS];  /* the block name, "" for none (owned) */
static unsigned char tag_heading[NTAGS];
static PyObject *empty_str = NULL;
static PyObject *class_tokens_fn = NULL;  /* vocabulary.class_tokens */
static PyObject *style_hides_fn = NULL;   /* str -> bool, for non-ASCII styles */
static PyObject *aria_hides_fn = NULL;    /* str -> bool, for non-ASCII aria-hidden */
static PyObject *select_label_fn = NULL;  /* walk._select_label */
static PyObject *domcues_type = NULL;
static PyObject *token_bit = NULL;        /* token str -> bit number */
static PyObject *inside_names[32];
static PyObject *token_names[NTOKENS];
static int n_inside = 0, n_tokens = 0;
static uint64_t positive_mask = 0, negative_mask = 0;
static char bullet_bytes[MAX_BULLETS][64];
static int bullet_len[MAX_BULLETS];
static Py_ssize_t bullet_cps[MAX_BULLETS];
static PyObject *round_fn = NULL;  /* builtins.round */
static int max_bullet_levels = 8;
static PyObject *token_cache = NULL;      /* class/id value str -> mask (int) */
static PyObject *set_cache = NULL;        /* (kind, mask) -> frozenset */

/* ---- growable buffers ---- */

typedef struct { char *p; size_t n, cap; } buf_t;

static int buf_reserve(buf_t *b, size_t more) {
    if (b->n + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) { PyErr_NoMemory(); return -1; }
    b->p = p; b->cap = cap;
    return 0;
}
static inline int buf_add(buf_t *b, const void *d, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->p + b->n, d, n); b->n += n;
    return 0;
}

typedef struct { Py_ssize_t *p; Py_ssize_t n, cap; } ivec;
static inline int ivec_push(ivec *v, Py_ssize_t x) {
    if (v->n == v->cap) {
        Py_ssize_t cap = v->cap ? v->cap * 2 : 256;
        Py_ssize_t *p = PyMem_Realloc(v->p, cap * sizeof(Py_ssize_t));
        if (!p) { PyErr_NoMemory(); return -1; }
        v->p = p; v->cap = cap;
    }
    v->p[v->n++] = x;
    return 0;
}
static PyObject *ivec_list(ivec *v) {
    PyObject *list = PyList_New(v->n);
    if (!list) return NULL;
    for (Py_ssize_t i = 0; i < v->n; i++) {
        PyObject *x = PyLong_FromSsize_t(v->p[i]);
        if (!x) { Py_DECREF(list); return NULL; }
        PyList_SET_ITEM(list, i, x);
    }
    return list;
}

/* ---- UTF-8 ---- */

/* One code point at p (valid UTF-8 assumed), its length in *len. */
static inline uint32_t utf8_cp(const unsigned char *p, int *len) {
    unsigned char c = p[0];
    if (c < 0x80) { *len = 1; return c; }
    if (c < 0xE0) { *len = 2; return ((c & 0x1F) << 6) | (p[1] & 0x3F); }
    if (c < 0xF0) { *len = 3; return ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F); }
    *len = 4;
    return ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Whether the bytes are UTF-8 as Python's strict decoder takes it. */
static int utf8_valid(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (p[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && p[i + 1] < 0xA0) return 0;  /* overlong */
            if (c == 0xED && p[i + 1] >= 0xA0) return 0; /* surrogate */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80
                || (p[i + 3] & 0xC0) != 0x80) return 0;
            if (c == 0xF0 && p[i + 1] < 0x90) return 0;
            if (c == 0xF4 && p[i + 1] >= 0x90) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

static int is_ascii(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) if (p[i] & 0x80) return 0;
    return 1;
}

/* Code points that are not str.isspace() (link characters). */
static Py_ssize_t count_nonspace(const unsigned char *p, size_t n) {
    Py_ssize_t count = 0;
    size_t i = 0;
    while (i < n) {
        int len;
        uint32_t cp = utf8_cp(p + i, &len);
        if (!Py_UNICODE_ISSPACE(cp)) count++;
        i += len;
    }
    return count;
}

/* ---- the layout ---- */

typedef struct {
    PyObject *name;  /* borrowed: a tag_name entry or empty_str */
    Py_ssize_t depth, heading, elem;
} block_t;

typedef struct { uint64_t inside, tokens; } ctx_t;

typedef struct {
    buf_t line;                /* the open line's text, UTF-8 */
    Py_ssize_t n_parts, n_link_parts, link_chars;
    uint64_t l_inside, l_tokens;
    int need, bullet, link_depth, prefix, in_pre, with_cues, last_text;
    block_t block;
    PyObject *lines, *cues, *known;
    ivec line_blocks, parents, ends, weights;
    ivec line_chars, line_commas;  /* per line: characters (with the bullet), commas */
    double *shares; Py_ssize_t n_shares, cap_shares;  /* per line: link share */
    buf_t tmp, text;           /* scratch */
    PyObject *holder;          /* keeps a decoded replacement alive */
} lay_t;

static int lay_blank(lay_t *s) {
    if (PyList_GET_SIZE(s->lines) && s->last_text) {
        if (PyList_Append(s->lines, empty_str) < 0) return -1;
        if (PyList_Append(s->cues, Py_None) < 0) return -1;
        if (ivec_push(&s->line_blocks, -1) < 0) return -1;
        if (ivec_push(&s->line_chars, 0) < 0 || ivec_push(&s->line_commas, 0) < 0) return -1;
        if (s->n_shares == s->cap_shares) {
            Py_ssize_t cap = s->cap_shares ? s->cap_shares * 2 : 256;
            double *p = PyMem_Realloc(s->shares, cap * sizeof(double));
            if (!p) { PyErr_NoMemory(); return -1; }
            s->shares = p; s->cap_shares = cap;
        }
        s->shares[s->n_shares++] = 0.0;
        s->last_text = 0;
    }
    return 0;
}

static PyObject *mask_set(int kind, uint64_t mask) {
    PyObject *key = Py_BuildValue("(iK)", kind, (unsigned long long)mask);
    if (!key) return NULL;
    PyObject *set = PyDict_GetItemWithError(set_cache, key);
    if (set) { Py_DECREF(key); Py_INCREF(set); return set; }
    if (PyErr_Occurred()) { Py_DECREF(key); return NULL; }
    PyObject *list = PyList_New(0);
    if (!list) { Py_DECREF(key); return NULL; }
    for (int bit = 0; bit < (kind ? n_tokens : n_inside); bit++) {
        if (mask & ((uint64_t)1 << bit)) {
            if (PyList_Append(list, kind ? token_names[bit] : inside_names[bit]) < 0) {
                Py_DECREF(list); Py_DECREF(key); return NULL;
            }
        }
    }
    set = PyFrozenSet_New(list);
    Py_DECREF(list);
    if (!set || PyDict_SetItem(set_cache, key, set) < 0) { Py_XDECREF(set); Py_DECREF(key); return NULL; }
    Py_DECREF(key);
    return set;
}

static PyObject *make_cues(lay_t *s, double link_share) {
    block_t *b = &s->block;
    PyObject *key = Py_BuildValue("(dOnnKK)", link_share, b->name, b->depth, b->heading,
                                  (unsigned long long)s->l_inside, (unsigned long long)s->l_tokens);
    if (!key) return NULL;
    PyObject *cues = PyDict_GetItemWithError(s->known, key);
    if (cues) { Py_DECREF(key); Py_INCREF(cues); return cues; }
    if (PyErr_Occurred()) { Py_DECREF(key); return NULL; }
    PyObject *inside = mask_set(0, s->l_inside);
    PyObject *tokens = inside ? mask_set(1, s->l_tokens) : NULL;
    if (!tokens) { Py_XDECREF(inside); Py_DECREF(key); return NULL; }
    /* DomCues' first six arguments: made into DomCues by finish_cues() */
    cues = Py_BuildValue("(dOnnNN)", link_share, b->name, b->heading, b->depth, inside, tokens);
    if (!cues || PyDict_SetItem(s->known, key, cues) < 0) { Py_XDECREF(cues); Py_DECREF(key); return NULL; }
    Py_DECREF(key);
    return cues;
}

static inline int is_control(unsigned char c) {
    return c <= 0x08 || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f) || c == 0x7f;
}

static int lay_flush(lay_t *s) {
    if (!s->n_parts) return 0;
    const unsigned char *raw = (const unsigned char *)s->line.p;
    size_t n = s->line.n;
    buf_t *t = &s->tmp;
    t->n = 0;
    if (buf_reserve(t, n * 8 + 64) < 0) return -1;  /* expandtabs: at most 8 per byte */
    int pre_len = s->prefix >= 0 ? bullet_len[s->prefix] : 0;
    if (pre_len) memcpy(t->p, bullet_bytes[s->prefix], pre_len);
    unsigned char *out = (unsigned char *)t->p + pre_len, *o = out;
    if (s->in_pre) {
        Py_ssize_t col = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = raw[i];
            if (c == '\t') {
                Py_ssize_t k = 8 - col % 8;
                memset(o, ' ', k); o += k; col += k;
            } else {
                *o++ = c;
                if ((c & 0xC0) != 0x80) col++;
                if (c == '\n' || c == '\r') col = 0;
            }
        }
        while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n' || o[-1] == '\r'
                           || o[-1] == '\f')) o--;
    } else {
        int simple = raw[0] != ' ' && raw[n - 1] != ' ';
        for (size_t i = 0; simple && i < n; i++) {
            unsigned char c = raw[i];
            if (c & 0x80 || c == '\n' || c == '\t' || c == '\r' || c == '\f'
                || (c == ' ' && i + 1 < n && raw[i + 1] == ' ')) simple = 0;
        }
        if (simple) {
            memcpy(o, raw, n); o += n;
        } else {
            int nbsp = 0;
            for (size_t i = 0; i + 1 < n && !nbsp; i++) nbsp = raw[i] == 0xC2 && raw[i + 1] == 0xA0;
            int pending = 0;
            size_t i = 0;
            while (i < n) {
                int len;
                uint32_t cp = utf8_cp(raw + i, &len);
                if (cp != 0xA0 && Py_UNICODE_ISSPACE(cp)) {
                    pending = 1;
                } else {
                    if (pending && o > out) *o++ = ' ';
                    pending = 0;
                    if (cp == 0 && nbsp) { *o++ = 0xC2; *o++ = 0xA0; }
                    else { memcpy(o, raw + i, len); o += len; }
                }
                i += len;
            }
        }
    }
    /* CONTROL_CHARS.sub("", text): single bytes, never inside a multi-byte character */
    unsigned char *w = out;
    for (unsigned char *r = out; r < o; r++) if (!is_control(*r)) *w++ = *r;
    o = w;
    int ok = 0;
    if (o == out) {
        if (s->in_pre && lay_blank(s) < 0) return -1;
    } else {
        Py_ssize_t cps = 0, spaces_n = 0, nbsp_n = 0;
        int all_space = 1;
        for (unsigned char *r = out; r < o;) {
            int len;
            uint32_t cp = utf8_cp(r, &len);
            cps++;
            if (cp == ' ') spaces_n++;
            else if (cp == 0xA0) nbsp_n++;
            if (all_space && !Py_UNICODE_ISSPACE(cp)) all_space = 0;
            r += len;
        }
        Py_ssize_t commas = 0;
        for (unsigned char *r = (unsigned char *)t->p; r < o; r++) {
            /* , U+FF0C (EF BC 8C) U+3001 (E3 80 81) U+060C (D8 8C) */
            if (*r == ',') commas++;
            else if (*r == 0x8C && r - (unsigned char *)t->p >= 2 && r[-1] == 0xBC && r[-2] == 0xEF) commas++;
            else if (*r == 0x81 && r - (unsigned char *)t->p >= 2 && r[-1] == 0x80 && r[-2] == 0xE3) commas++;
            else if (*r == 0x8C && r - (unsigned char *)t->p >= 1 && r[-1] == 0xD8) commas++;
        }
        Py_ssize_t prefix_cps = s->prefix >= 0 ? bullet_cps[s->prefix] : 0;
        PyObject *line = PyUnicode_DecodeUTF8(t->p, (Py_ssize_t)((char *)o - t->p), "strict");
        if (!line) return -1;
        ok = PyList_Append(s->lines, line);
        Py_DECREF(line);
        if (ok < 0) return -1;
        s->last_text = 1;
        int blank = all_space && s->prefix < 0;
        PyObject *cues;
        if (blank || !s->with_cues) {
            cues = Py_None; Py_INCREF(cues);
        } else {
            double share;
            if (!s->n_link_parts || all_space) share = 0.0;
            else if (s->n_link_parts == s->n_parts) share = 1.0;
            else {
                Py_ssize_t visible = cps - spaces_n - nbsp_n;
                if (visible > 0) {
                    share = (double)s->link_chars / (double)visible;
                    if (share > 1.0) share = 1.0;
                } else share = 0.0;
            }
            cues = make_cues(s, share);
            if (!cues) return -1;
        }
        ok = PyList_Append(s->cues, cues);
        Py_DECREF(cues);
        if (ok < 0 || ivec_push(&s->line_blocks, s->block.elem) < 0) return -1;
        if (ivec_push(&s->line_chars, prefix_cps + cps) < 0 || ivec_push(&s->line_commas, commas) < 0)
            return -1;
        if (s->n_shares == s->cap_shares) {
            Py_ssize_t cap = s->cap_shares ? s->cap_shares * 2 : 256;
            double *p = PyMem_Realloc(s->shares, cap * sizeof(double));
            if (!p) { PyErr_NoMemory(); return -1; }
            s->shares = p; s->cap_shares = cap;
        }
        s->shares[s->n_shares++] = cues == Py_None ? 0.0 : PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(cues, 0));
    }
    s->line.n = 0;
    s->n_parts = s->n_link_parts = s->link_chars = 0;
    s->l_inside = s->l_tokens = 0;
    return 0;
}

static int lay_start(lay_t *s, const block_t *b, int in_pre) {
    if (s->need == BLANK && lay_blank(s) < 0) return -1;
    s->need = 0;
    s->block = *b;
    s->in_pre = in_pre;
    s->prefix = s->bullet;
    s->bullet = -1;
    return 0;
}

/* Valid UTF-8 of a text as _decode_utf8 (errors="replace") would give it. */
static int as_valid(lay_t *s, const unsigned char **p, size_t *n) {
    if (utf8_valid(*p, *n)) return 0;
    PyObject *text = PyUnicode_DecodeUTF8((const char *)*p, (Py_ssize_t)*n, "replace");
    if (!text) return -1;
    Py_ssize_t len;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &len);
    if (!utf8) { Py_DECREF(text); return -1; }
    Py_XDECREF(s->holder);
    s->holder = text;
    *p = (const unsigned char *)utf8; *n = (size_t)len;
    return 0;
}

static inline int lay_add(lay_t *s, const unsigned char *p, size_t n, ctx_t ctx) {
    if (buf_add(&s->line, p, n) < 0) return -1;
    s->n_parts++;
    if (s->link_depth) {
        s->n_link_parts++;
        s->link_chars += count_nonspace(p, n);
    }
    s->l_inside |= ctx.inside;
    s->l_tokens |= ctx.tokens;
    return 0;
}

/* Layout.text() for a page without markers. */
static int lay_text(lay_t *s, const unsigned char *p, size_t n, ctx_t ctx, const block_t *b) {
    if (as_valid(s, &p, &n) < 0) return -1;
    if (s->n_parts && s->need && lay_flush(s) < 0) return -1;
    if (!s->n_parts && lay_start(s, b, 0) < 0) return -1;
    return lay_add(s, p, n, ctx);
}

static int lay_line_break(lay_t *s) {
    if (s->n_parts && !s->need) return lay_flush(s);
    if (lay_flush(s) < 0) return -1;
    return lay_blank(s);
}

static int lay_pre_text(lay_t *s, const unsigned char *p, size_t n, ctx_t ctx, const block_t *b) {
    if (as_valid(s, &p, &n) < 0) return -1;
    size_t start = 0;
    for (int number = 0;; number++) {
        const unsigned char *nl = memchr(p + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (number && lay_line_break(s) < 0) return -1;
        if (end > start) {
            if (s->n_parts && s->need && lay_flush(s) < 0) return -1;
            if (!s->n_parts && lay_start(s, b, 1) < 0) return -1;
            if (lay_add(s, p + start, end - start, ctx) < 0) return -1;
        }
        if (!nl) break;
        start = end + 1;
    }
    return 0;
}

/* ---- attributes ---- */

typedef struct { const unsigned char *v; size_t n; int present; } aval;
typedef struct { aval cls, id, role, itemprop, style, hidden, aria, alt, value, type, open; int any; } attrs_t;

static inline void set_val(aval *a, const lx_attr *attr) {
    a->present = 1;
    if (attr->value && attr->value->data) { a->v = attr->value->data; a->n = attr->value->length; }
    else { a->v = NULL; a->n = 0; }  /* None */
}

static void read_attrs(const lx_node *node, attrs_t *a) {
    memset(a, 0, sizeof(*a));
    if (node->type != NODE_ELEMENT) return;
    for (const lx_attr *attr = ((const lx_element *)node)->first_attr; attr; attr = attr->next) {
        size_t len = 0;
        const unsigned char *name = attr_qname(attr, &len);
        a->any = 1;
        if (!name) continue;
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
        switch (len) {
        case 2: if (IS("id")) set_val(&a->id, attr); break;
        case 3: if (IS("alt")) set_val(&a->alt, attr); break;
        case 4:
            if (IS("type")) set_val(&a->type, attr);
            else if (IS("open")) set_val(&a->open, attr);
            else if (IS("role")) set_val(&a->role, attr);
            break;
        case 5:
            if (IS("class")) set_val(&a->cls, attr);
            else if (IS("style")) set_val(&a->style, attr);
            else if (IS("value")) set_val(&a->value, attr);
            break;
        case 6: if (IS("hidden")) set_val(&a->hidden, attr); break;
        case 8: if (IS("itemprop")) set_val(&a->itemprop, attr); break;
        case 11: if (IS("aria-hidden")) set_val(&a->aria, attr); break;
        }
#undef IS
    }
}

static inline int ascii_space(unsigned char c) { return Py_UNICODE_ISSPACE(c); }
static inline unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int match_ci(const unsigned char *p, size_t n, size_t *i, const char *word) {
    size_t j = *i;
    for (; *word; word++, j++) if (j >= n || lower(p[j]) != (unsigned char)*word) return 0;
    *i = j;
    return 1;
}

/* _HIDING_STYLE.search(style) for an ASCII style: display\s*:\s*none|visibility\s*:\s*hidden */
static int style_hides_ascii(const unsigned char *p, size_t n) {
    static const char *words[2][2] = {{"display", "none"}, {"visibility", "hidden"}};
    for (size_t start = 0; start < n; start++) {
        for (int w = 0; w < 2; w++) {
            size_t i = start;
            if (!match_ci(p, n, &i, words[w][0])) continue;
            while (i < n && ascii_space(p[i])) i++;
            if (i >= n || p[i] != ':') continue;
            i++;
            while (i < n && ascii_space(p[i])) i++;
            if (match_ci(p, n, &i, words[w][1])) return 1;
        }
    }
    return 0;
}

static int call_str_pred(PyObject *fn, const aval *a) {
    PyObject *text = PyUnicode_DecodeUTF8((const char *)a->v, (Py_ssize_t)a->n, "replace");
    if (!text) return -1;
    PyObject *result = PyObject_CallOneArg(fn, text);
    Py_DECREF(text);
    if (!result) return -1;
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

/* walk.is_hidden */
static int is_hidden(const attrs_t *a) {
    if (a->hidden.present) return 1;
    if (a->aria.present && a->aria.n) {
        const unsigned char *p = a->aria.v;
        size_t n = a->aria.n;
        if (is_ascii(p, n)) {
            size_t i = 0, j = n;
            while (i < j && ascii_space(p[i])) i++;
            while (j > i && ascii_space(p[j - 1])) j--;
            if (j - i == 4 && lower(p[i]) == 't' && lower(p[i + 1]) == 'r' && lower(p[i + 2]) == 'u'
                && lower(p[i + 3]) == 'e') return 1;
        } else {
            int r = call_str_pred(aria_hides_fn, &a->aria);
            if (r) return r;
        }
    }
    if (a->style.present && a->style.n) {
        if (is_ascii(a->style.v, a->style.n)) return style_hides_ascii(a->style.v, a->style.n);
        return call_str_pred(style_hides_fn, &a->style);
    }
    return 0;
}

/* The CLASS_TOKENS of a class or id value, as a mask; -1 and an error on failure. */
static int value_tokens(const aval *a, uint64_t *mask) {
    *mask = 0;
    if (!a->present || !a->n) return 0;
    PyObject *text = PyUnicode_DecodeUTF8((const char *)a->v, (Py_ssize_t)a->n, "replace");
    if (!text) return -1;
    PyObject *cached = PyDict_GetItemWithError(token_cache, text);
    if (cached) {
        *mask = PyLong_AsUnsignedLongLong(cached);
        Py_DECREF(text);
        return 0;
    }
    if (PyErr_Occurred()) { Py_DECREF(text); return -1; }
    PyObject *tokens = PyObject_CallOneArg(class_tokens_fn, text);
    if (!tokens) { Py_DECREF(text); return -1; }
    PyObject *it = PyObject_GetIter(tokens), *token;
    Py_DECREF(tokens);
    if (!it) { Py_DECREF(text); return -1; }
    uint64_t m = 0;
    while ((token = PyIter_Next(it))) {
        PyObject *bit = PyDict_GetItemWithError(token_bit, token);
        Py_DECREF(token);
        if (!bit) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a token outside CLASS_TOKENS");
            Py_DECREF(it); Py_DECREF(text); return -1;
        }
        m |= (uint64_t)1 << PyLong_AsLong(bit);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) { Py_DECREF(text); return -1; }
    if (PyDict_GET_SIZE(token_cache) > 200000) PyDict_Clear(token_cache);
    PyObject *value = PyLong_FromUnsignedLongLong(m);
    int bad = !value || PyDict_SetItem(token_cache, text, value) < 0;
    Py_XDECREF(value);
    Py_DECREF(text);
    if (bad) return -1;
    *mask = m;
    return 0;
}

static inline int weight_of(uint64_t tokens) {
    int chrome = (tokens & negative_mask) != 0;
    return 25 * (((tokens & positive_mask) != 0) - chrome) - chrome;
}

/* ---- the walk ---- */

typedef struct {
    lx_node *node;
    int kind;
    ctx_t context;
    block_t block;
} frame_t;

static int select_label(lay_t *s, py_lexbor_node *root, lx_node *node, ctx_t ctx, const block_t *b) {
    node_new_f new_node = (node_new_f)root->vtab[0];
    PyObject *obj = new_node(node, root->parser);
    if (!obj) return -1;
    PyObject *label = PyObject_CallOneArg(select_label_fn, obj);
    Py_DECREF(obj);
    if (!label) return -1;
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(label, &n);
    int r = 0;
    if (!p) r = -1;
    else {
        int show = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = p[i];
            if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) { show = 1; break; }
        }
        if (show) {
            /* the label must outlive nothing: lay_text copies it */
            r = lay_text(s, (const unsigned char *)p, (size_t)n, ctx, b);
        }
    }
    Py_DECREF(label);
    return r;
}

static int html_blank(const aval *a) {  /* not (x and x.strip(HTML_SPACE)) */
    for (size_t i = 0; i < a->n; i++) {
        unsigned char c = a->v[i];
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) return 0;
    }
    return 1;
}

static int button_type(const aval *a) {
    static const char *types[3] = {"submit", "button", "reset"};
    for (int k = 0; k < 3; k++) {
        size_t len = strlen(types[k]);
        if (a->n != len) continue;
        size_t i;
        for (i = 0; i < len && lower(a->v[i]) == (unsigned char)types[k][i]; i++) {}
        if (i == len) return 1;
    }
    return 0;
}

static int do_walk(lay_t *s, py_lexbor_node *root) {
    frame_t *stack = NULL;
    Py_ssize_t depth = 0, cap = 0;
    ctx_t context = {0, 0};
    block_t block = {empty_str, 0, 0, -1};
    int list_depth = 0, pre_depth = 0;
    Py_ssize_t parent = -1;
    lx_node *node = root->node;
    int rc = -1;
    for (;;) {
        if (!node) {
            if (!depth) { rc = 0; break; }
            frame_t *f = &stack[--depth];
            node = f->node; context = f->context; block = f->block;
            int kind = f->kind;
            s->ends.p[parent] = s->parents.n;
            parent = s->parents.p[parent];
            switch (kind) {
            case LINE: case ITEM:
                if (s->need < NEWLINE) s->need = NEWLINE;
                if (kind == ITEM) s->bullet = -1;
                break;
            case LINK: s->link_depth--; break;
            case PARAGRAPH: s->need = BLANK; break;
            case LIST:
                list_depth--;
                if (!list_depth) s->need = BLANK;
                else if (s->need < NEWLINE) s->need = NEWLINE;
                break;
            case PRE: pre_depth--; s->need = BLANK; break;
            }
            node = node->next;
            continue;
        }
        uintptr_t tag_id = node->local_name;
        if (tag_id == text_id) {
            lx_str *d = &((lx_chardata *)node)->data;
            const unsigned char *p = d->data ? d->data : (const unsigned char *)"";
            size_t n = d->data ? d->length : 0;
            if (pre_depth) {
                if (lay_pre_text(s, p, n, context, &block) < 0) goto done;
            } else {
                int ws = 1;
                for (size_t i = 0; i < n; i++) {
                    unsigned char c = p[i];
                    if (!(c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r')) { ws = 0; break; }
                }
                if (ws) {
                    if (s->n_parts && !s->need) {
                        if (buf_add(&s->line, " ", 1) < 0) goto done;
                        s->n_parts++;
                        if (s->link_depth) s->n_link_parts++;
                    }
                } else if (lay_text(s, p, n, context, &block) < 0) goto done;
            }
            node = node->next;
            continue;
        }
        int kind = INLINE, heading = 0;
        uint64_t inside = 0;
        PyObject *name = empty_str;
        if (tag_id < NTAGS) {
            kind = tag_kind[tag_id]; inside = tag_inside[tag_id];
            name = tag_name[tag_id]; heading = tag_heading[tag_id];
        }
        if (kind == SKIP) { node = node->next; continue; }
        ctx_t outer_context = context;
        block_t outer_block = block;
        attrs_t a;
        read_attrs(node, &a);
        int weight = 0;
        if (a.any) {
            if (a.style.present || a.hidden.present || a.aria.present) {
                int hidden = is_hidden(&a);
                if (hidden < 0) goto done;
                if (hidden) { node = node->next; continue; }
            }
            uint64_t tokens, more;
            if (value_tokens(&a.cls, &tokens) < 0 || value_tokens(&a.id, &more) < 0) goto done;
            tokens |= more;
            if (value_tokens(&a.role, &more) < 0) goto done;
            tokens |= more;
            if (value_tokens(&a.itemprop, &more) < 0) goto done;
            tokens |= more;
            if (tokens) weight = weight_of(tokens);
            context.tokens |= tokens;
        }
        context.inside |= inside;
        if (kind) {
            if (kind == DIALOG) {
                if (!a.open.present) { context = outer_context; node = node->next; continue; }
                kind = LINE;
            }
            if (kind <= PRE) {
                switch (kind) {
                case LINE: case ITEM:
                    if (s->need < NEWLINE) s->need = NEWLINE;
                    if (kind == ITEM) s->bullet = list_depth < max_bullet_levels ? list_depth : max_bullet_levels;
                    break;
                case LINK: s->link_depth++; break;
                case PARAGRAPH: s->need = BLANK; break;
                case LIST:
                    if (!list_depth) s->need = BLANK;
                    else if (s->need < NEWLINE) s->need = NEWLINE;
                    list_depth++;
                    break;
                default: s->need = BLANK; pre_depth++; break;  /* PRE */
                }
                if (kind != LINK) {
                    block.name = name;
                    block.depth = depth;
                    if (heading) block.heading = heading;
                    block.elem = s->parents.n;
                }
            } else {
                int r = 0;
                switch (kind) {
                case BREAK: r = lay_line_break(s); break;
                case RULE: s->need = BLANK; break;
                case IMAGE:
                    if (a.alt.present && a.alt.n && !html_blank(&a.alt))
                        r = lay_text(s, a.alt.v, a.alt.n, context, &block);
                    break;
                case INPUT:
                    if (a.type.present && button_type(&a.type) && a.value.present && a.value.n
                        && !html_blank(&a.value))
                        r = lay_text(s, a.value.v, a.value.n, context, &block);
                    break;
                case SELECT: r = select_label(s, root, node, context, &block); break;
                }
                if (r < 0) goto done;
                context = outer_context;
                node = node->next;
                continue;
            }
        }
        lx_node *child = node->first_child;
        if (child || kind) {
            if (depth == cap) {
                Py_ssize_t ncap = cap ? cap * 2 : 64;
                frame_t *ns = PyMem_Realloc(stack, ncap * sizeof(frame_t));
                if (!ns) { PyErr_NoMemory(); goto done; }
                stack = ns; cap = ncap;
            }
            stack[depth].node = node; stack[depth].kind = kind;
            stack[depth].context = outer_context; stack[depth].block = outer_block;
            depth++;
            if (ivec_push(&s->ends, 0) < 0 || ivec_push(&s->weights, weight) < 0
                || ivec_push(&s->parents, parent) < 0) goto done;
            parent = s->parents.n - 1;
            node = child;
        } else {
            context = outer_context;
            node = node->next;
        }
    }
done:
    PyMem_Free(stack);
    return rc;
}

/* content_score.with_content_scores over the walk's output, and the DomCues made:
 * each cues entry is the tuple of DomCues' first six arguments until here.
 * The floats must be those of the numpy code bit for bit (a content score that
 * rounds the other way is a different cue), so each sum is taken in numpy's
 * order: np.bincount adds row by row, np.cumsum left to right, here as there. */
static int finish_cues(lay_t *s, Py_ssize_t n_lines) {
    PyObject *cues = s->cues;
    Py_ssize_t n = s->parents.n, rows = 0;
    for (Py_ssize_t k = 0; k < n_lines; k++) rows += PyList_GET_ITEM(cues, k) != Py_None;
    if (!rows) return 0;
    if (!n) {  /* no element: the cues as the walk made them */
        for (Py_ssize_t k = 0; k < n_lines; k++) {
            PyObject *args = PyList_GET_ITEM(cues, k);
            if (args == Py_None) continue;
            PyObject *made = PyObject_Call(domcues_type, args, NULL);
            if (!made) return -1;
            PyList_SetItem(cues, k, made);
        }
        return 0;
    }
    int rc = -1;
    double *own_chars = PyMem_Calloc(n, sizeof(double)), *own_linked = PyMem_Calloc(n, sizeof(double));
    double *comma_sum = PyMem_Calloc(n, sizeof(double)), *paragraph = PyMem_Calloc(n, sizeof(double));
    double *score = PyMem_Calloc(n + 1, sizeof(double)), *half = PyMem_Calloc(n + 1, sizeof(double));
    double *tot_chars = PyMem_Calloc(n + 1, sizeof(double)), *tot_linked = PyMem_Calloc(n + 1, sizeof(double));
    Py_ssize_t *par = PyMem_Calloc(n + 1, sizeof(Py_ssize_t)), *chrome = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    PyObject *made = PyDict_New();
    if (!own_chars || !own_linked || !comma_sum || !paragraph || !score || !half || !tot_chars
        || !tot_linked || !par || !chrome || !made) { PyErr_NoMemory(); goto out; }
    Py_ssize_t *blocks = s->line_blocks.p, *ends = s->ends.p;
    for (Py_ssize_t k = 0; k < n_lines; k++) {
        if (PyList_GET_ITEM(cues, k) == Py_None) continue;
        Py_ssize_t b = blocks[k] < 0 ? 0 : blocks[k];
        double chars = (double)s->line_chars.p[k];
        own_chars[b] += chars;
        own_linked[b] += chars * s->shares[k];
        comma_sum[b] += (double)s->line_commas.p[k];
    }
    double all_chars = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double points = own_chars[i] / 100.0;
        paragraph[i] = own_chars[i] < 25.0 ? 0.0 : (1.0 + comma_sum[i]) + (points < 3.0 ? points : 3.0);
        par[i] = s->parents.p[i] < 0 ? n : s->parents.p[i];
        /* numpy sums own_chars pairwise, but they are whole numbers: exact either way */
        all_chars += own_chars[i];
    }
    par[n] = n;
    for (Py_ssize_t i = 0; i < n; i++) score[par[i]] += paragraph[i];
    for (Py_ssize_t i = 0; i < n; i++) half[par[par[i]]] += paragraph[i];
    for (Py_ssize_t i = 0; i <= n; i++) score[i] = score[i] + 0.5 * half[i];
    for (Py_ssize_t i = 0; i < n; i++) {
        tot_chars[i + 1] = tot_chars[i] + own_chars[i];
        tot_linked[i + 1] = tot_linked[i] + own_linked[i];
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (score[i] > 0) score[i] += (double)s->weights.p[i];
        double sub_chars = tot_chars[ends[i]] - tot_chars[i];
        double sub_linked = tot_linked[ends[i]] - tot_linked[i];
        double density = sub_chars > 0 ? sub_linked / sub_chars : 0.0;
        score[i] *= 1.0 - density;
    }
    Py_ssize_t top = 0;
    for (Py_ssize_t i = 1; i < n; i++) if (score[i] > score[top]) top = i;
    int pick = score[top] > 0;
    double top_share = 0.0;
    if (pick) {
        double sub = tot_chars[ends[top]] - tot_chars[top];
        /* Python's round() rounds the decimal value; no C function does the same */
        PyObject *r = PyObject_CallFunction(round_fn, "di", sub / (all_chars > 1.0 ? all_chars : 1.0), 2);
        if (!r) goto out;
        top_share = PyFloat_AsDouble(r);
        Py_DECREF(r);
        Py_ssize_t depth = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (s->weights.p[i] < 0 && !(i <= top && top < ends[i])) { chrome[i]++; chrome[ends[i]]--; }
        }
        for (Py_ssize_t i = 0; i < n; i++) { depth += chrome[i]; chrome[i] = depth > 0; }
    }
    for (Py_ssize_t k = 0; k < n_lines; k++) {
        PyObject *args = PyList_GET_ITEM(cues, k);
        if (args == Py_None) continue;
        Py_ssize_t b = blocks[k] < 0 ? 0 : blocks[k], box = par[b];
        double content = 0.0;
        int in_top = 0, in_chrome = 0;
        if (pick) {
            double around = (score[b] > score[box] ? score[b] : score[box]) / score[top];
            around = around < 0.0 ? 0.0 : around > 1.0 ? 1.0 : around;
            content = rint(around * 100.0) / 100.0;  /* np.round(x, 2), as numpy does it */
            in_top = b >= top && b < ends[top];
            in_chrome = (int)chrome[b];
        }
        Py_ssize_t box_no = box < n ? box : -1;
        PyObject *key = Py_BuildValue("(ndiin)", (Py_ssize_t)args, content, in_top, in_chrome, box_no);
        if (!key) goto out;
        PyObject *one = PyDict_GetItemWithError(made, key);
        if (one) Py_INCREF(one);
        else if (PyErr_Occurred()) { Py_DECREF(key); goto out; }
        else {
            PyObject *more = Py_BuildValue("(dOOdn)", content, in_top ? Py_True : Py_False,
                                           in_chrome ? Py_True : Py_False, top_share, box_no);
            PyObject *all = more ? PySequence_Concat(args, more) : NULL;
            Py_XDECREF(more);
            one = all ? PyObject_Call(domcues_type, all, NULL) : NULL;
            Py_XDECREF(all);
            if (!one || PyDict_SetItem(made, key, one) < 0) { Py_XDECREF(one); Py_DECREF(key); goto out; }
        }
        Py_DECREF(key);
        PyList_SetItem(cues, k, one);  /* steals one; the old args stay alive in s->known */
    }
    rc = 0;
out:
    PyMem_Free(own_chars); PyMem_Free(own_linked); PyMem_Free(comma_sum); PyMem_Free(paragraph);
    PyMem_Free(score); PyMem_Free(half); PyMem_Free(tot_chars); PyMem_Free(tot_linked);
    PyMem_Free(par); PyMem_Free(chrome); Py_XDECREF(made);
    return rc;
}

static void lay_free(lay_t *s) {
    PyMem_Free(s->line.p); PyMem_Free(s->tmp.p); PyMem_Free(s->text.p);
    PyMem_Free(s->line_blocks.p); PyMem_Free(s->parents.p); PyMem_Free(s->ends.p);
    PyMem_Free(s->weights.p); PyMem_Free(s->line_chars.p); PyMem_Free(s->line_commas.p);
    PyMem_Free(s->shares);
    Py_XDECREF(s->lines); Py_XDECREF(s->cues); Py_XDECREF(s->known); Py_XDECREF(s->holder);
}

/* walk(root, with_cues) -> (lines, cues, line_blocks, parents, ends, weights) */
static PyObject *cw_walk(PyObject *self, PyObject *args) {
    PyObject *root;
    int with_cues = 1;
    if (!PyArg_ParseTuple(args, "Op", &root, &with_cues)) return NULL;
    if (!ready) { PyErr_SetString(PyExc_RuntimeError, "_cwalk.init() was not called"); return NULL; }
    if (Py_TYPE(root) != node_type) { PyErr_SetString(PyExc_TypeError, "not a LexborNode"); return NULL; }
    lay_t s;
    memset(&s, 0, sizeof(s));
    s.bullet = s.prefix = -1;
    s.with_cues = with_cues;
    s.block.name = empty_str; s.block.elem = -1;
    s.lines = PyList_New(0); s.cues = PyList_New(0); s.known = PyDict_New();
    PyObject *result = NULL;
    if (!s.lines || !s.cues || !s.known) goto out;
    if (((py_lexbor_node *)root)->node && do_walk(&s, (py_lexbor_node *)root) < 0) goto out;
    if (lay_flush(&s) < 0) goto out;
    /* finish(): no blank lines at the end */
    Py_ssize_t n = PyList_GET_SIZE(s.lines);
    while (n && PyUnicode_GET_LENGTH(PyList_GET_ITEM(s.lines, n - 1)) == 0) n--;
    if (PyList_SetSlice(s.lines, n, PyList_GET_SIZE(s.lines), NULL) < 0
        || PyList_SetSlice(s.cues, n, PyList_GET_SIZE(s.cues), NULL) < 0) goto out;
    s.line_blocks.n = n;
    if (with_cues && finish_cues(&s, n) < 0) goto out;
    {
        PyObject *lb = ivec_list(&s.line_blocks), *pa = ivec_list(&s.parents);
        PyObject *en = ivec_list(&s.ends), *we = ivec_list(&s.weights);
        if (lb && pa && en && we)
            result = PyTuple_Pack(6, s.lines, s.cues, lb, pa, en, we);
        Py_XDECREF(lb); Py_XDECREF(pa); Py_XDECREF(en); Py_XDECREF(we);
    }
out:
    lay_free(&s);
    return result;
}

/* init(so_path, node_type, text_id, tags, inside_names, token_names, positive, negative,
 *      class_tokens, style_hides, aria_hides, select_label, DomCues, bullets) */
static PyObject *cw_init(PyObject *self, PyObject *args) {
    const char *so_path;
    PyObject *ntype, *tags, *inside, *tokens, *pos, *neg, *ct, *sh, *ah, *sl, *dc, *bullets;
    unsigned long long tid;
    if (!PyArg_ParseTuple(args, "sOKOOOOOOOOOOO", &so_path, &ntype, &tid, &tags, &inside, &tokens,
                          &pos, &neg, &ct, &sh, &ah, &sl, &dc, &bullets)) return NULL;
    ready = 0;
    if (!PyType_Check(ntype) || ((PyTypeObject *)ntype)->tp_basicsize != sizeof(py_lexbor_node)) {
        PyErr_SetString(PyExc_RuntimeError, "LexborNode has another layout");
        return NULL;
    }
    void *handle = dlopen(so_path, RTLD_NOW | RTLD_NOLOAD);
    if (!handle) { PyErr_Format(PyExc_RuntimeError, "dlopen: %s", dlerror()); return NULL; }
    attr_qname = (qname_f)dlsym(handle, "lxb_dom_attr_qualified_name");
    if (!attr_qname) { PyErr_SetString(PyExc_RuntimeError, "no lxb_dom_attr_qualified_name"); return NULL; }
    Py_XINCREF(ntype); Py_XSETREF(node_type, (PyTypeObject *)ntype);
    text_id = (uintptr_t)tid;
    if (!empty_str) empty_str = PyUnicode_FromString("");
    n_inside = (int)PyTuple_GET_SIZE(inside);
    n_tokens = (int)PyTuple_GET_SIZE(tokens);
    if (n_inside > 32 || n_tokens > NTOKENS) { PyErr_SetString(PyExc_ValueError, "too many names"); return NULL; }
    for (int i = 0; i < n_inside; i++) { Py_INCREF(PyTuple_GET_ITEM(inside, i)); Py_XSETREF(inside_names[i], PyTuple_GET_ITEM(inside, i)); }
    Py_XSETREF(token_bit, PyDict_New());
    for (int i = 0; i < n_tokens; i++) {
        PyObject *t = PyTuple_GET_ITEM(tokens, i), *bit = PyLong_FromLong(i);
        Py_INCREF(t); Py_XSETREF(token_names[i], t);
        PyDict_SetItem(token_bit, t, bit); Py_DECREF(bit);
    }
    positive_mask = negative_mask = 0;
    for (int i = 0; i < n_tokens; i++) {
        if (PySet_Contains(pos, token_names[i]) == 1) positive_mask |= (uint64_t)1 << i;
        if (PySet_Contains(neg, token_names[i]) == 1) negative_mask |= (uint64_t)1 << i;
    }
    for (int i = 0; i < NTAGS; i++) {
        tag_kind[i] = INLINE; tag_inside[i] = 0; tag_heading[i] = 0;
        Py_INCREF(empty_str); Py_XSETREF(tag_name[i], empty_str);
    }
    /* tags: {tag_id: (kind, inside bit or -1, block name, heading)} */
    PyObject *key, *value;
    Py_ssize_t pos_i = 0;
    while (PyDict_Next(tags, &pos_i, &key, &value)) {
        long id = PyLong_AsLong(key);
        int kind, bit, heading;
        PyObject *name;
        if (!PyArg_ParseTuple(value, "iiUi", &kind, &bit, &name, &heading)) return NULL;
        if (id < 0 || id >= NTAGS) { PyErr_SetString(PyExc_ValueError, "tag id out of range"); return NULL; }
        tag_kind[id] = (unsigned char)kind;
        tag_inside[id] = bit >= 0 ? (uint32_t)1 << bit : 0;
        tag_heading[id] = (unsigned char)heading;
        Py_INCREF(name); Py_XSETREF(tag_name[id], name);
    }
    Py_INCREF(ct); Py_XSETREF(class_tokens_fn, ct);
    Py_INCREF(sh); Py_XSETREF(style_hides_fn, sh);
    Py_INCREF(ah); Py_XSETREF(aria_hides_fn, ah);
    Py_INCREF(sl); Py_XSETREF(select_label_fn, sl);
    Py_INCREF(dc); Py_XSETREF(domcues_type, dc);
    Py_XSETREF(token_cache, PyDict_New());
    Py_XSETREF(set_cache, PyDict_New());
    max_bullet_levels = (int)PyTuple_GET_SIZE(bullets) - 1;
    if (max_bullet_levels < 0 || max_bullet_levels >= MAX_BULLETS) { PyErr_SetString(PyExc_ValueError, "bullets"); return NULL; }
    for (int i = 0; i <= max_bullet_levels; i++) {
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(bullets, i), &n);
        if (!p || n >= 64) { PyErr_SetString(PyExc_ValueError, "bullet"); return NULL; }
        memcpy(bullet_bytes[i], p, n); bullet_len[i] = (int)n;
        bullet_cps[i] = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(bullets, i));
    }
    if (!round_fn) round_fn = PyDict_GetItemString(PyEval_GetBuiltins(), "round");
    Py_XINCREF(round_fn);
    if (PyErr_Occurred() || !round_fn) return NULL;
    ready = 1;
    Py_RETURN_NONE;
}

/* node_fields(LexborNode) -> (tag_id, type, has first child, has next): for the layout check */
static PyObject *cw_probe(PyObject *self, PyObject *root) {
    if (!node_type || Py_TYPE(root) != node_type) { PyErr_SetString(PyExc_TypeError, "not a LexborNode"); return NULL; }
    lx_node *n = ((py_lexbor_node *)root)->node;
    if (!n) Py_RETURN_NONE;
    PyObject *text = Py_None;
    Py_INCREF(text);
    if (n->type == NODE_TEXT) {
        lx_str *d = &((lx_chardata *)n)->data;
        Py_DECREF(text);
        text = PyUnicode_DecodeUTF8((const char *)d->data, (Py_ssize_t)d->length, "replace");
        if (!text) return NULL;
    }
    PyObject *names = PyList_New(0);
    if (n->type == NODE_ELEMENT) {
        for (const lx_attr *a = ((lx_element *)n)->first_attr; a; a = a->next) {
            size_t len = 0;
            const unsigned char *name = attr_qname(a, &len);
            PyObject *v = a->value && a->value->data
                ? PyUnicode_DecodeUTF8((const char *)a->value->data, (Py_ssize_t)a->value->length, "replace")
                : (Py_INCREF(Py_None), Py_None);
            PyObject *item = Py_BuildValue("(s#N)", name, (Py_ssize_t)len, v);
            PyList_Append(names, item); Py_DECREF(item);
        }
    }
    node_new_f new_node = (node_new_f)((py_lexbor_node *)root)->vtab[0];
    PyObject *child = n->first_child ? new_node(n->first_child, ((py_lexbor_node *)root)->parser)
                                     : (Py_INCREF(Py_None), Py_None);
    PyObject *next = n->next ? new_node(n->next, ((py_lexbor_node *)root)->parser)
                             : (Py_INCREF(Py_None), Py_None);
    return Py_BuildValue("(KiNNNN)", (unsigned long long)n->local_name, n->type, text, names, child, next);
}

static PyMethodDef methods[] = {
    {"init", cw_init, METH_VARARGS, "Set the tables."},
    {"walk", cw_walk, METH_VARARGS, "Lay out the tree under a LexborNode (no markers)."},
    {"probe", cw_probe, METH_O, "What C reads of one node, for the layout check."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cwalk", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cwalk(void) { return PyModule_Create(&module); }
