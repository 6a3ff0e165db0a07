/* _treewalk: the compiled walk of a tree ensemble over a float32 matrix.

   cleaner/model/trees.py packs a forest's or a boosting model's trees into
   node arrays; this walks them, eight trees of a row at a time, about ten
   times faster than numpy can. It is optional: without a compiler, pip
   installs cleaner without it and trees.py walks the same arrays with numpy,
   to the same result bit for bit. Arrays come in through the buffer protocol,
   so no numpy headers are needed to build it.

   Forest(feature, threshold, left, right, missing_left, roots, values, n_features)
       Internal nodes only, numbered 0..n-1 over all trees, each child numbered
       after its parent (so every walk ends: checked here, once).
       feature int16 (n,), threshold float32 (n,): a row goes left when
       x[feature] <= threshold, or when x is NaN and missing_left (uint8, n,).
       left, right int32 (n,): >= 0 an internal node, < 0 a leaf, ~row of values.
       roots int32 (trees,); values float64 (leaves, outputs).
   Forest.accumulate(X, out): out[r] += values[leaf of row r in tree t] for t in
       order (the order scikit-learn sums them in), the GIL released.
       X float32 (rows, >= n_features), out float64 (rows, outputs), both C-contiguous.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LANES 8
#define FEATURE_MASK 0x7fffffff
#define NAN_GOES_LEFT ((int32_t)0x80000000)

typedef struct {
    float threshold;
    int32_t feature; /* bit 31: a NaN goes left */
    int32_t left;    /* in the walk table: a leaf is node n + its row, looping to itself */
    int32_t right;
} node_t;

typedef struct {
    PyObject_HEAD
    node_t *table;      /* internal nodes, then one self-looping node per leaf */
    int32_t *start;     /* per tree: its root in the table */
    int32_t *height;    /* per tree: the steps its deepest walk takes */
    double *values;
    Py_ssize_t n_nodes, n_leaves, n_trees, n_outputs, n_features;
} Forest;

static int
get_array(PyObject *obj, Py_buffer *view, const char *name, const char *format,
          int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    while (*f == '@' || *f == '=' || *f == '<')
        f++;
    if (strcmp(f, format) != 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of type '%s', got '%s'", name,
                     format, f);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void
release(Forest *self)
{
    free(self->table);
    free(self->start);
    free(self->height);
    free(self->values);
    self->table = NULL;
    self->start = self->height = NULL;
    self->values = NULL;
    self->n_nodes = self->n_leaves = self->n_trees = self->n_outputs = 0;
}

static void
Forest_dealloc(Forest *self)
{
    release(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Copy the arrays into the walk table; 0, or -1 with an exception set. */
static int
build(Forest *self, Py_buffer *feature, Py_buffer *threshold, Py_buffer *left,
      Py_buffer *right, Py_buffer *missing, Py_buffer *roots, Py_buffer *values)
{
    Py_ssize_t n = feature->len / 2, n_leaves = values->shape[0];
    const int16_t *feat = feature->buf;
    const float *thr = threshold->buf;
    const int32_t *lft = left->buf, *rgt = right->buf, *root = roots->buf;
    const uint8_t *miss = missing->buf;
    self->table = malloc(sizeof(node_t) * (n + n_leaves + 1));
    self->start = malloc(sizeof(int32_t) * (self->n_trees + 1));
    self->height = malloc(sizeof(int32_t) * (self->n_trees + 1));
    self->values = malloc(values->len + 8);
    int32_t *below = malloc(sizeof(int32_t) * (n + 1));
    if (!self->table || !self->start || !self->height || !self->values || !below) {
        free(below);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t children[2] = {lft[i], rgt[i]};
        if (feat[i] < 0 || feat[i] >= self->n_features) {
            free(below);
            PyErr_Format(PyExc_ValueError, "node %zd: feature %d out of range", i, feat[i]);
            return -1;
        }
        for (int k = 0; k < 2; k++) {
            int32_t c = children[k];
            if ((c >= 0 && (c <= i || c >= n)) || (c < 0 && ~c >= n_leaves)) {
                free(below);
                PyErr_Format(PyExc_ValueError, "node %zd: child %d out of range", i, c);
                return -1;
            }
        }
        node_t *node = &self->table[i];
        node->threshold = thr[i];
        node->feature = feat[i] | (miss[i] ? NAN_GOES_LEFT : 0);
        node->left = lft[i] >= 0 ? lft[i] : (int32_t)(n + ~lft[i]);
        node->right = rgt[i] >= 0 ? rgt[i] : (int32_t)(n + ~rgt[i]);
    }
    for (Py_ssize_t j = 0; j < n_leaves; j++) {
        node_t *leaf = &self->table[n + j];
        leaf->threshold = INFINITY; /* x <= inf, or NaN: either way back to itself */
        leaf->feature = 0;
        leaf->left = leaf->right = (int32_t)(n + j);
    }
    /* Children come after parents: one pass from the end gives each node's height. */
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        int32_t hl = lft[i] >= 0 ? below[lft[i]] : 0, hr = rgt[i] >= 0 ? below[rgt[i]] : 0;
        below[i] = 1 + (hl > hr ? hl : hr);
    }
    for (Py_ssize_t t = 0; t < self->n_trees; t++) {
        int32_t c = root[t];
        if ((c >= 0 && c >= n) || (c < 0 && ~c >= n_leaves)) {
            free(below);
            PyErr_Format(PyExc_ValueError, "tree %zd: root %d out of range", t, c);
            return -1;
        }
        self->start[t] = c >= 0 ? c : (int32_t)(n + ~c);
        self->height[t] = c >= 0 ? below[c] : 0;
    }
    free(below);
    memcpy(self->values, values->buf, values->len);
    self->n_nodes = n;
    self->n_leaves = n_leaves;
    self->n_outputs = values->shape[1];
    return 0;
}

static int
Forest_init(Forest *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"feature", "threshold", "left", "right", "missing_left",
                             "roots", "values", "n_features", NULL};
    PyObject *o[7];
    Py_ssize_t n_features;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOn", kwlist, &o[0], &o[1], &o[2],
                                     &o[3], &o[4], &o[5], &o[6], &n_features))
        return -1;
    static const char *names[] = {"feature", "threshold", "left", "right", "missing_left",
                                  "roots", "values"};
    static const char *formats[] = {"h", "f", "i", "i", "B", "i", "d"};
    Py_buffer b[7];
    int got = 0, rc = -1;
    for (; got < 7; got++)
        if (get_array(o[got], &b[got], names[got], formats[got], 0) < 0)
            goto done;
    Py_ssize_t n = b[0].len / 2;
    if (b[1].len / 4 != n || b[2].len / 4 != n || b[3].len / 4 != n || b[4].len != n) {
        PyErr_SetString(PyExc_ValueError, "node arrays of different lengths");
        goto done;
    }
    if (b[6].ndim != 2 || n_features < 1 || n >= INT32_MAX / 2 || b[6].shape[0] >= INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "values must be (leaves, outputs); sizes too large");
        goto done;
    }
    if (self->table != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Forest is built once");
        goto done;
    }
    self->n_trees = b[5].len / 4;
    self->n_features = n_features;
    rc = build(self, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6]);
    if (rc < 0)
        release(self); /* half built: as if never built, so no walk can read it */
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    return rc;
}

/* Eight trees of one row at a time: each lane takes as many steps as the deepest of
   the eight (a leaf loops to itself), so the loads of the eight walks overlap. */
static void
walk_row(const Forest *F, const float *x, double *out)
{
    const node_t *table = F->table;
    const Py_ssize_t k = F->n_outputs, n = F->n_nodes;
    Py_ssize_t t = 0;
    for (; t < F->n_trees; t += LANES) {
        int lanes = F->n_trees - t < LANES ? (int)(F->n_trees - t) : LANES;
        int32_t node[LANES];
        int32_t steps = 0;
        for (int l = 0; l < LANES; l++) {
            node[l] = F->start[t + (l < lanes ? l : 0)];
            if (l < lanes && F->height[t + l] > steps)
                steps = F->height[t + l];
        }
        for (int32_t s = 0; s < steps; s++) {
#pragma GCC unroll 8
            for (int l = 0; l < LANES; l++) {
                const node_t *p = table + node[l];
                float v = x[p->feature & FEATURE_MASK];
                int left = v <= p->threshold || ((p->feature < 0) & isnan(v));
                node[l] = left ? p->left : p->right;
            }
        }
        for (int l = 0; l < lanes; l++) {
            const double *v = F->values + (Py_ssize_t)(node[l] - n) * k;
            for (Py_ssize_t j = 0; j < k; j++)
                out[j] += v[j];
        }
    }
}

static PyObject *
Forest_accumulate(Forest *self, PyObject *args)
{
    PyObject *ox, *oout;
    if (!PyArg_ParseTuple(args, "OO", &ox, &oout))
        return NULL;
    if (self->table == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "an uninitialised Forest");
        return NULL;
    }
    Py_buffer x, out;
    if (get_array(ox, &x, "X", "f", 0) < 0)
        return NULL;
    if (get_array(oout, &out, "out", "d", 1) < 0) {
        PyBuffer_Release(&x);
        return NULL;
    }
    Py_ssize_t rows = x.ndim == 2 ? x.shape[0] : 0, width = x.ndim == 2 ? x.shape[1] : 0;
    if (x.ndim != 2 || width < self->n_features || out.ndim != 2 || out.shape[0] != rows
        || out.shape[1] != self->n_outputs) {
        PyErr_SetString(PyExc_ValueError, "X must be (rows, >= n_features), out (rows, outputs)");
        PyBuffer_Release(&x);
        PyBuffer_Release(&out);
        return NULL;
    }
    const float *X = x.buf;
    double *o = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++)
        walk_row(self, X + r * width, o + r * self->n_outputs);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyMethodDef Forest_methods[] = {
    {"accumulate", (PyCFunction)Forest_accumulate, METH_VARARGS,
     "accumulate(X, out): add each row's leaf values of every tree to out, in tree order."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ForestType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cleaner.model._treewalk.Forest",
    .tp_basicsize = sizeof(Forest),
    .tp_dealloc = (destructor)Forest_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A tree ensemble's packed nodes, walked in C.",
    .tp_methods = Forest_methods,
    .tp_init = (initproc)Forest_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_treewalk", "The compiled walk of cleaner's tree ensembles.", -1,
    NULL,
};

PyMODINIT_FUNC
PyInit__treewalk(void)
{
    if (PyType_Ready(&ForestType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ForestType);
    if (PyModule_AddObject(m, "Forest", (PyObject *)&ForestType) < 0) {
        Py_DECREF(&ForestType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
