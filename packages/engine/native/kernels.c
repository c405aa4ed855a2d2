/*
 * yolo-ts training kernels for tfjs' wasm backend, built with clang for wasm32 + SIMD128 (see build-wasm.mjs).
 * The module imports tfjs' own WebAssembly.Memory, so every pointer here is an offset into tfjs' heap and no
 * tensor is copied between JS and wasm. Rules that keep it safe inside someone else's heap: no static data,
 * no stack (no local arrays, no address-taken locals); scratch space comes from tfjs' allocator via JS.
 * Layout is NHWC throughout; M = n·oh·ow output positions, K = kh·kw·ci patch length.
 */
#include <wasm_simd128.h>

/* a·b + c: one fused multiply-add in the relaxed-SIMD build (where the engine runs it: build-wasm.mjs), else two ops. */
#ifdef __wasm_relaxed_simd__
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif

#define EXPORT(name) __attribute__((export_name(#name)))

/* Patches of x as rows: cols[m][(i·kw + j)·ci + c] = x[b, y·sh − top + i, xo·sw − left + j, c] (0 outside). */
EXPORT(im2col)
void im2col(const float *x, float *cols, int n, int H, int W, int ci, int oh, int ow, int kh, int kw, int sh, int sw,
            int top, int left) {
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++) {
        for (int i = 0; i < kh; i++) {
          int ih = y * sh - top + i;
          for (int j = 0; j < kw; j++) {
            int iw = xo * sw - left + j;
            float *dst = cols;
            cols += ci;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
              for (int c = 0; c < ci; c++) dst[c] = 0.0f;
            } else {
              const float *src = x + ((b * H + ih) * W + iw) * ci;
              for (int c = 0; c < ci; c++) dst[c] = src[c];
            }
          }
        }
      }
}

/*
 * im2col written transposed, colsT[(i·kw + j)·ci + c][m], for the filter gradient: output positions are taken
 * 16 at a time so that each of the K rows receives whole 64-byte runs while the patch reads stay in L1.
 */
EXPORT(im2col_t)
void im2col_t(const float *restrict x, float *restrict colsT, int n, int H, int W, int ci, int oh, int ow, int kh, int kw,
              int sh, int sw, int top, int left) {
  int M = n * oh * ow;
  for (int m0 = 0; m0 < M; m0 += 16) {
    int m1 = m0 + 16 < M ? m0 + 16 : M;
    for (int i = 0; i < kh; i++)
      for (int j = 0; j < kw; j++) {
        float *restrict row = colsT + (long)((i * kw + j) * ci) * M;
        for (int m = m0; m < m1; m++) {
          int b = m / (oh * ow), rem = m % (oh * ow), y = rem / ow, xo = rem % ow;
          int ih = y * sh - top + i, iw = xo * sw - left + j;
          int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
          const float *restrict src = x + (((long)b * H + ih) * W + iw) * ci;
          for (int c = 0; c < ci; c++) row[(long)c * M + m] = inside ? src[c] : 0.0f;
        }
      }
  }
}

/* The adjoint of im2col: dx (zeroed here) receives every patch entry added back where it came from. */
EXPORT(col2im)
void col2im(const float *cols, float *dx, int n, int H, int W, int ci, int oh, int ow, int kh, int kw, int sh, int sw,
            int top, int left) {
  int total = n * H * W * ci;
  for (int t = 0; t < total; t++) dx[t] = 0.0f;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++) {
        for (int i = 0; i < kh; i++) {
          int ih = y * sh - top + i;
          for (int j = 0; j < kw; j++) {
            int iw = xo * sw - left + j;
            const float *src = cols;
            cols += ci;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            float *dst = dx + ((b * H + ih) * W + iw) * ci;
            for (int c = 0; c < ci; c++) dst[c] += src[c];
          }
        }
      }
}

/* dst[c][r] = src[r][c] for `batch` rows × cols matrices, in 16 × 16 tiles to stay in cache. */
EXPORT(transpose2d)
void transpose2d(const float *restrict src, float *restrict dst, int rows, int cols, int batch) {
  for (int k = 0; k < batch; k++, src += (long)rows * cols, dst += (long)rows * cols)
  for (int r0 = 0; r0 < rows; r0 += 16)
    for (int c0 = 0; c0 < cols; c0 += 16) {
      int r1 = r0 + 16 < rows ? r0 + 16 : rows;
      int c1 = c0 + 16 < cols ? c0 + 16 : cols;
      for (int r = r0; r < r1; r++)
        for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
    }
}

/*
 * MaxPool backward for 2×2 windows with stride 2 and no padding (every pool of a plain CNN): the windows tile the
 * input exactly, so each input position is written once (no zeroing pass) and the first maximum of the four
 * (TensorFlow's rule for ties) is picked with branch-free selects that vectorise across channels.
 */
EXPORT(maxpool2x2_grad)
void maxpool2x2_grad(const float *restrict x, const float *restrict dy, float *restrict dx, int n, int H, int W, int C, int oh, int ow) {
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, dy += C) {
        long p00 = (((long)b * H + 2 * y) * W + 2 * xo) * C, p01 = p00 + C, p10 = p00 + (long)W * C, p11 = p10 + C;
#pragma clang loop vectorize(enable)
        for (int c = 0; c < C; c++) {
          float a = x[p00 + c], bb = x[p01 + c], cc = x[p10 + c], d = x[p11 + c], g = dy[c];
          float m = __builtin_fmaxf(__builtin_fmaxf(a, bb), __builtin_fmaxf(cc, d));
          /* g passes down the window until the first position holding the maximum takes it. */
          float g1 = a == m ? 0.0f : g, g2 = bb == m ? 0.0f : g1, g3 = cc == m ? 0.0f : g2;
          dx[p00 + c] = a == m ? g : 0.0f;
          dx[p01 + c] = bb == m ? g1 : 0.0f;
          dx[p10 + c] = cc == m ? g2 : 0.0f;
          dx[p11 + c] = g3;
        }
      }
  /* An odd last row or column belongs to no window. */
  for (int b = 0; b < n; b++)
    for (int h = 0; h < H; h++)
      for (int w = 0; w < W; w++)
        if (h >= 2 * oh || w >= 2 * ow)
          for (int c = 0; c < C; c++) dx[(((long)b * H + h) * W + w) * C + c] = 0.0f;
}

/* MaxPool backward, any window: each dy goes to the first maximum of its window (TensorFlow's rule for ties). */
EXPORT(maxpool_grad)
void maxpool_grad(const float *x, const float *dy, float *dx, int n, int H, int W, int C, int oh, int ow, int fh, int fw,
                  int sh, int sw, int top, int left) {
  int total = n * H * W * C;
  for (int t = 0; t < total; t++) dx[t] = 0.0f;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, dy += C)
        for (int c = 0; c < C; c++) {
          float best = 0.0f;
          int where = -1;
          for (int i = 0; i < fh; i++) {
            int ih = y * sh - top + i;
            if (ih < 0 || ih >= H) continue;
            for (int j = 0; j < fw; j++) {
              int iw = xo * sw - left + j;
              if (iw < 0 || iw >= W) continue;
              int at = ((b * H + ih) * W + iw) * C + c;
              if (where < 0 || x[at] > best) {
                best = x[at];
                where = at;
              }
            }
          }
          if (where >= 0) dx[where] += dy[c];
        }
}

/*
 * out[c] = scale · Σ_r x[r][c] over `rows` rows of `inner` values. Sums run in float32 over blocks of 64 rows
 * (vectorised across c), then into float64 `acc` (inner doubles of scratch), so long sums keep their precision.
 */
EXPORT(reduce_rows)
void reduce_rows(const float *x, float *out, int rows, int inner, float scale, double *acc) {
  for (int c = 0; c < inner; c++) acc[c] = 0.0;
  for (int r0 = 0; r0 < rows; r0 += 64) {
    int r1 = r0 + 64 < rows ? r0 + 64 : rows;
    for (int c = 0; c < inner; c++) out[c] = 0.0f;
    for (int r = r0; r < r1; r++) {
      const float *row = x + (long)r * inner;
      for (int c = 0; c < inner; c++) out[c] += row[c];
    }
    for (int c = 0; c < inner; c++) acc[c] += out[c];
  }
  for (int c = 0; c < inner; c++) out[c] = (float)(acc[c] * scale);
}

/* e^x for x in float range, Cephes' polynomial after Cody–Waite reduction: relative error ~2e-7, branch-free. */
static inline float exp_approx(float x) {
  x = __builtin_fminf(__builtin_fmaxf(x, -87.0f), 88.0f);
  float k = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int i; float f; } scale = {.i = ((int)k + 127) << 23};
  return p * scale.f;
}

/* SiLU, z·σ(z). */
static inline float silu(float z) { return z / (1.0f + exp_approx(-z)); }

/* exp_approx on four lanes (clang leaves the scalar loops over it unvectorised: ~3 ns an element). */
static inline v128_t exp_approx4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-87.0f)), wasm_f32x4_splat(88.0f));
  v128_t k = wasm_f32x4_floor(MADD(x, wasm_f32x4_splat(1.44269504088896341f), wasm_f32x4_splat(0.5f)));
  v128_t r = MADD(k, wasm_f32x4_splat(2.12194440e-4f), MADD(k, wasm_f32x4_splat(-0.693359375f), x));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = MADD(p, r, wasm_f32x4_splat(1.3981999507e-3f));
  p = MADD(p, r, wasm_f32x4_splat(8.3334519073e-3f));
  p = MADD(p, r, wasm_f32x4_splat(4.1665795894e-2f));
  p = MADD(p, r, wasm_f32x4_splat(1.6666665459e-1f));
  p = MADD(p, r, wasm_f32x4_splat(5.0000001201e-1f));
  p = MADD(p, wasm_f32x4_mul(r, r), wasm_f32x4_add(r, wasm_f32x4_splat(1.0f)));
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

/* σ(z) and SiLU on four lanes. */
static inline v128_t sigmoid4(v128_t z) {
  v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp_approx4(wasm_f32x4_neg(z))));
}
static inline v128_t silu4(v128_t z) { return wasm_f32x4_mul(z, sigmoid4(z)); }

/* SiLU in place over n floats. */
static inline void silu_run(float *x, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, silu4(wasm_v128_load(x + i)));
  for (; i < n; i++) x[i] = silu(x[i]);
}

/*
 * Batch statistics of channels [c0, c1) of x [rows][C]: mean[c] and invstd[c] = 1/sqrt(var + eps), the biased
 * variance that training-mode BatchNorm normalises with. Two passes (mean, then squared deviations), summed in
 * float32 over blocks of 64 rows and then in float64 via `acc` (indexed by channel, so threads taking disjoint
 * channel ranges can share it).
 */
EXPORT(bn_stats_range)
void bn_stats_range(const float *x, int rows, int C, int c0, int c1, float eps, float *mean, float *invstd, double *acc) {
  for (int pass = 0; pass < 2; pass++) {
    float *out = pass ? invstd : mean;
    for (int c = c0; c < c1; c++) acc[c] = 0.0;
    for (int r0 = 0; r0 < rows; r0 += 64) {
      int r1 = r0 + 64 < rows ? r0 + 64 : rows;
      for (int c = c0; c < c1; c++) out[c] = 0.0f;
      for (int r = r0; r < r1; r++) {
        const float *row = x + (long)r * C;
        if (pass)
          for (int c = c0; c < c1; c++) {
            float d = row[c] - mean[c];
            out[c] += d * d;
          }
        else
          for (int c = c0; c < c1; c++) out[c] += row[c];
      }
      for (int c = c0; c < c1; c++) acc[c] += out[c];
    }
    if (pass)
      for (int c = c0; c < c1; c++) invstd[c] = 1.0f / __builtin_sqrtf((float)(acc[c] / rows) + eps);
    else
      for (int c = c0; c < c1; c++) mean[c] = (float)(acc[c] / rows);
  }
}

/* All channels of bn_stats_range. */
EXPORT(bn_stats)
void bn_stats(const float *x, int rows, int C, float eps, float *mean, float *invstd, double *acc) {
  bn_stats_range(x, rows, C, 0, C, eps, mean, invstd, acc);
}

/* y = act(γ·(x − mean)·invstd + β); act 0 = identity, 1 = SiLU (z·σ(z)). */
EXPORT(bn_act_forward)
void bn_act_forward(const float *restrict x, float *restrict y, int rows, int C, const float *restrict mean,
                    const float *restrict invstd, const float *restrict gamma, const float *restrict beta, int act) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (long)r * C;
    float *yr = y + (long)r * C;
    if (act == 1) {
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t z = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
        z = MADD(wasm_f32x4_mul(wasm_v128_load(gamma + c), z), wasm_v128_load(invstd + c), wasm_v128_load(beta + c));
        wasm_v128_store(yr + c, silu4(z));
      }
      for (; c < C; c++) {
        float z = gamma[c] * (xr[c] - mean[c]) * invstd[c] + beta[c];
        yr[c] = silu(z);
      }
    } else {
      for (int c = 0; c < C; c++) yr[c] = gamma[c] * (xr[c] - mean[c]) * invstd[c] + beta[c];
    }
  }
}

/*
 * Backward of bn_act_forward with batch statistics, the whole chain in two passes:
 *   g = dy · act'(z), dβ = Σ g, dγ = Σ g·x̂, dx = γ·invstd·(g − dβ/R − x̂·dγ/R), x̂ = (x − mean)·invstd.
 * The first pass (sums over rows) takes channels [c0, c1) and keeps g in dx; the second (dx) takes rows, so
 * threads can split both. `acc` holds 2·C doubles, indexed by channel.
 */
EXPORT(bn_act_backward_reduce)
void bn_act_backward_reduce(const float *restrict dy, const float *restrict x, float *restrict dx, int rows, int C, int c0,
                            int c1, const float *restrict mean, const float *restrict invstd, const float *restrict gamma,
                            const float *restrict beta, int act, float *restrict dgamma, float *restrict dbeta,
                            double *restrict acc) {
  double *accB = acc, *accG = acc + C;
  for (int c = c0; c < c1; c++) accB[c] = accG[c] = 0.0;
  for (int r0 = 0; r0 < rows; r0 += 64) {
    int r1 = r0 + 64 < rows ? r0 + 64 : rows;
    for (int c = c0; c < c1; c++) dbeta[c] = dgamma[c] = 0.0f;
    for (int r = r0; r < r1; r++) {
      const float *restrict xr = x + (long)r * C, *restrict dyr = dy + (long)r * C;
      float *restrict gr = dx + (long)r * C;
      if (act == 1) {
        int c = c0;
        for (; c + 4 <= c1; c += 4) {
          v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c)), wasm_v128_load(invstd + c));
          v128_t z = MADD(wasm_v128_load(gamma + c), xhat, wasm_v128_load(beta + c));
          v128_t sg = sigmoid4(z);
          v128_t one = wasm_f32x4_splat(1.0f);
          v128_t g = wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(dyr + c), sg), MADD(z, wasm_f32x4_sub(one, sg), one));
          wasm_v128_store(gr + c, g);
          wasm_v128_store(dbeta + c, wasm_f32x4_add(wasm_v128_load(dbeta + c), g));
          wasm_v128_store(dgamma + c, MADD(g, xhat, wasm_v128_load(dgamma + c)));
        }
        for (; c < c1; c++) {
          float xhat = (xr[c] - mean[c]) * invstd[c];
          float z = gamma[c] * xhat + beta[c];
          float s = 1.0f / (1.0f + exp_approx(-z));
          float g = dyr[c] * s * (1.0f + z * (1.0f - s));
          gr[c] = g;
          dbeta[c] += g;
          dgamma[c] += g * xhat;
        }
      } else {
        for (int c = c0; c < c1; c++) {
          float xhat = (xr[c] - mean[c]) * invstd[c];
          float g = dyr[c];
          gr[c] = g;
          dbeta[c] += g;
          dgamma[c] += g * xhat;
        }
      }
    }
    for (int c = c0; c < c1; c++) {
      accB[c] += dbeta[c];
      accG[c] += dgamma[c];
    }
  }
  for (int c = c0; c < c1; c++) {
    dbeta[c] = (float)accB[c];
    dgamma[c] = (float)accG[c];
  }
}

/* The second pass on `rows` rows (of a batch of `total` rows): dx from the g the first pass left there. */
EXPORT(bn_act_backward_apply)
void bn_act_backward_apply(const float *restrict x, float *restrict dx, int rows, int C, const float *restrict mean,
                           const float *restrict invstd, const float *restrict gamma, const float *restrict dgamma,
                           const float *restrict dbeta, int total) {
  float inv = 1.0f / total;
  for (int r = 0; r < rows; r++) {
    const float *restrict xr = x + (long)r * C;
    float *restrict gr = dx + (long)r * C;
    for (int c = 0; c < C; c++) {
      float xhat = (xr[c] - mean[c]) * invstd[c];
      gr[c] = gamma[c] * invstd[c] * (gr[c] - dbeta[c] * inv - xhat * dgamma[c] * inv);
    }
  }
}

/* Both passes on one thread. */
EXPORT(bn_act_backward)
void bn_act_backward(const float *restrict dy, const float *restrict x, float *restrict dx, int rows, int C,
                     const float *restrict mean, const float *restrict invstd, const float *restrict gamma,
                     const float *restrict beta, int act, float *restrict dgamma, float *restrict dbeta,
                     double *restrict acc) {
  bn_act_backward_reduce(dy, x, dx, rows, C, 0, C, mean, invstd, gamma, beta, act, dgamma, dbeta, acc);
  bn_act_backward_apply(x, dx, rows, C, mean, invstd, gamma, dgamma, dbeta, rows);
}

/*
 * One Adam step (PyTorch's formulation) for a parameter tensor, into new buffers:
 *   m' = β1·m + (1−β1)·g,  v' = β2·v + (1−β2)·g²,  w' = (1 − decay)·w − lr·(m'/bc1) / (sqrt(v'/bc2) + ε),
 * with bc1 = 1 − β1^t and bc2 = 1 − β2^t; decay = lr·weight_decay is AdamW's decoupled decay (0 for Adam). One pass over four arrays where tfjs runs ~10 elementwise ops.
 * No restrict: the compiled step passes each output as its own input (in place; every element is read before it
 * is written).
 */
EXPORT(adam_update)
void adam_update(const float *w, const float *g, const float *m, const float *v, float *w_out, float *m_out, float *v_out,
                 int n, float lr, float beta1, float beta2, float eps, float bc1, float bc2, float decay) {
  float step = lr / bc1, inv_bc2 = 1.0f / bc2, keep = 1.0f - decay;
  for (int i = 0; i < n; i++) {
    float gi = g[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m_out[i] = mi;
    v_out[i] = vi;
    w_out[i] = keep * w[i] - step * mi / (__builtin_sqrtf(vi * inv_bc2) + eps);
  }
}

/* Exponential moving average of a weight: out = d·ema + (1 − d)·w (the trainer's EMA model); out may be ema. */
EXPORT(ema_update)
void ema_update(const float *ema, const float *w, float *out, int n, float d) {
  float e = 1.0f - d;
  for (int i = 0; i < n; i++) out[i] = d * ema[i] + e * w[i];
}

/*
 * dW of a convolution with a short patch (K = kh·kw·ci ≤ 32, e.g. a first layer on 1-channel images, K = 9),
 * accumulated straight from x and dy: dw[k][o] = Σ_m patch_m[k] · dy[m][o]. Matmul routes would spend their time
 * transposing and packing the long M side for a few MFLOP of work. dw (K·co floats) stays in L1.
 */
EXPORT(conv_dw_short)
void conv_dw_short(const float *restrict x, const float *restrict dy, float *restrict dw, int n, int H, int W, int ci,
                   int oh, int ow, int co, int kh, int kw, int sh, int sw, int top, int left) {
  int K = kh * kw * ci;
  for (int t = 0; t < K * co; t++) dw[t] = 0.0f;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, dy += co)
        for (int i = 0; i < kh; i++) {
          int ih = y * sh - top + i;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < kw; j++) {
            int iw = xo * sw - left + j;
            if (iw < 0 || iw >= W) continue;
            const float *restrict src = x + (((long)b * H + ih) * W + iw) * ci;
            float *restrict acc = dw + (long)((i * kw + j) * ci) * co;
            for (int c = 0; c < ci; c++, acc += co) {
              float v = src[c];
              for (int o = 0; o < co; o++) acc[o] += v * dy[o];
            }
          }
        }
}

/*
 * Forward convolution with a short patch (K ≤ 32, e.g. a first layer on 1-channel images), bias and activation
 * fused. Output channels go 16 at a time through four SIMD accumulators that stay in registers across the K taps; XNNPACK's generic path runs such layers at a few GFLOP/s. co must be a multiple of 16 (the caller
 * checks); bias may be 0 (none); act 0 = linear, 1 = ReLU, 2 = SiLU.
 */
EXPORT(conv_fwd_short)
void conv_fwd_short(const float *restrict x, const float *restrict w, const float *restrict bias, float *restrict out,
                    int n, int H, int W, int ci, int oh, int ow, int co, int kh, int kw, int sh, int sw, int top,
                    int left, int act) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, out += co) {
        for (int o = 0; o < co; o += 16) {
          v128_t a0 = bias ? wasm_v128_load(bias + o) : zero, a1 = bias ? wasm_v128_load(bias + o + 4) : zero;
          v128_t a2 = bias ? wasm_v128_load(bias + o + 8) : zero, a3 = bias ? wasm_v128_load(bias + o + 12) : zero;
          for (int i = 0; i < kh; i++) {
            int ih = y * sh - top + i;
            if (ih < 0 || ih >= H) continue;
            for (int j = 0; j < kw; j++) {
              int iw = xo * sw - left + j;
              if (iw < 0 || iw >= W) continue;
              const float *restrict src = x + (((long)b * H + ih) * W + iw) * ci;
              const float *restrict wr = w + (long)((i * kw + j) * ci) * co + o;
              for (int c = 0; c < ci; c++, wr += co) {
                v128_t v = wasm_f32x4_splat(src[c]);
                a0 = MADD(v, wasm_v128_load(wr), a0);
                a1 = MADD(v, wasm_v128_load(wr + 4), a1);
                a2 = MADD(v, wasm_v128_load(wr + 8), a2);
                a3 = MADD(v, wasm_v128_load(wr + 12), a3);
              }
            }
          }
          if (act == 1) {
            a0 = wasm_f32x4_max(a0, zero);
            a1 = wasm_f32x4_max(a1, zero);
            a2 = wasm_f32x4_max(a2, zero);
            a3 = wasm_f32x4_max(a3, zero);
          } else if (act == 2) {
            a0 = silu4(a0), a1 = silu4(a1), a2 = silu4(a2), a3 = silu4(a3);
          }
          wasm_v128_store(out + o, a0);
          wasm_v128_store(out + o + 4, a1);
          wasm_v128_store(out + o + 8, a2);
          wasm_v128_store(out + o + 12, a3);
        }
      }
}

/*
 * Depthwise convolution gradients (NHWC, filter [kh][kw][ci][mult], output channel c·mult + q), which tfjs 4.22's
 * wasm backend lacks. Plain loops vectorised over the channel multiplier; depthwise layers are small.
 *   dx[b,ih,iw,c]  = Σ dy[b,y,x,c·mult+q] · w[i,j,c,q]
 *   dw[i,j,c,q]    = Σ x[b,ih,iw,c] · dy[b,y,x,c·mult+q]       with ih = y·sh − top + i·dh (iw likewise).
 */
EXPORT(depthwise_grads)
void depthwise_grads(const float *restrict x, const float *restrict w, const float *restrict dy, float *restrict dx,
                     float *restrict dw, int n, int H, int W, int ci, int oh, int ow, int mult, int kh, int kw, int sh,
                     int sw, int dh, int dwl, int top, int left) {
  int co = ci * mult;
  if (dx)
    for (long t = 0; t < (long)n * H * W * ci; t++) dx[t] = 0.0f;
  if (dw)
    for (int t = 0; t < kh * kw * co; t++) dw[t] = 0.0f;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, dy += co)
        for (int i = 0; i < kh; i++) {
          int ih = y * sh - top + i * dh;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < kw; j++) {
            int iw = xo * sw - left + j * dwl;
            if (iw < 0 || iw >= W) continue;
            long at = (((long)b * H + ih) * W + iw) * ci;
            const float *restrict wr = w + (long)(i * kw + j) * co;
            float *restrict dwr = dw + (long)(i * kw + j) * co;
            for (int c = 0; c < ci; c++) {
              float g = 0.0f, xv = x ? x[at + c] : 0.0f;
              for (int q = 0; q < mult; q++) {
                if (dx) g += dy[c * mult + q] * wr[c * mult + q];
                if (dw) dwr[c * mult + q] += xv * dy[c * mult + q];
              }
              if (dx) dx[at + c] += g;
            }
          }
        }
}

/*
 * C[M,N] = A[M,K] · B[K,N] (+ bias[N]), row-major, without packing either operand. XNNPACK packs B on every call
 * (a training step's weights are new tensors), at a cost of tens of ns per element that exceeds the multiply
 * itself when M is a few dozen rows (late layers on 1×1 or 2×2 maps). Here a 4×8 block of C stays in eight
 * SIMD registers while K streams through; K goes in chunks of GEMM_KC so the 8-column panel of B being reused
 * by every row block stays in L1. bias may be 0 (none); act: 0 linear, 1 ReLU, 2 SiLU. panel: GEMM_KC·8 floats
 * of scratch.
 */
#define GEMM_KC 256
#define GEMM_MC 128 /* rows per block: MC·KC floats of A (128 KB) stay in L2 while every panel of B passes */

static inline void gemm_4x8(const float *restrict A, const float *restrict B, float *restrict C, int kc, long sa,
                            long ka, int ldb, int N, int load) {
  v128_t c00, c01, c10, c11, c20, c21, c30, c31;
  if (load) {
    c00 = wasm_v128_load(C), c01 = wasm_v128_load(C + 4);
    c10 = wasm_v128_load(C + N), c11 = wasm_v128_load(C + N + 4);
    c20 = wasm_v128_load(C + 2 * N), c21 = wasm_v128_load(C + 2 * N + 4);
    c30 = wasm_v128_load(C + 3 * N), c31 = wasm_v128_load(C + 3 * N + 4);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);
  }
  const float *restrict a0 = A, *restrict a1 = A + sa, *restrict a2 = A + 2 * sa, *restrict a3 = A + 3 * sa;
  for (long k = 0; k < kc * ka; k += ka, B += ldb) {
    v128_t b0 = wasm_v128_load(B), b1 = wasm_v128_load(B + 4);
    v128_t v = wasm_f32x4_splat(a0[k]);
    c00 = MADD(v, b0, c00);
    c01 = MADD(v, b1, c01);
    v = wasm_f32x4_splat(a1[k]);
    c10 = MADD(v, b0, c10);
    c11 = MADD(v, b1, c11);
    v = wasm_f32x4_splat(a2[k]);
    c20 = MADD(v, b0, c20);
    c21 = MADD(v, b1, c21);
    v = wasm_f32x4_splat(a3[k]);
    c30 = MADD(v, b0, c30);
    c31 = MADD(v, b1, c31);
  }
  wasm_v128_store(C, c00), wasm_v128_store(C + 4, c01);
  wasm_v128_store(C + N, c10), wasm_v128_store(C + N + 4, c11);
  wasm_v128_store(C + 2 * N, c20), wasm_v128_store(C + 2 * N + 4, c21);
  wasm_v128_store(C + 3 * N, c30), wasm_v128_store(C + 3 * N + 4, c31);
}

/* One row of 8 columns, for the rows left after the blocks of 4. */
static inline void gemm_1x8(const float *restrict A, const float *restrict B, float *restrict C, int kc, long ka,
                            int ldb, int load) {
  v128_t c0 = load ? wasm_v128_load(C) : wasm_f32x4_splat(0.0f), c1 = load ? wasm_v128_load(C + 4) : wasm_f32x4_splat(0.0f);
  for (int k = 0; k < kc; k++, B += ldb) {
    v128_t v = wasm_f32x4_splat(A[k * ka]);
    c0 = MADD(v, wasm_v128_load(B), c0);
    c1 = MADD(v, wasm_v128_load(B + 4), c1);
  }
  wasm_v128_store(C, c0), wasm_v128_store(C + 4, c1);
}

/* The last N mod 8 columns: scalar, B's element (k, c) at B[k·sk + c·sc]. */
static inline void gemm_cols(const float *restrict A, const float *restrict B, float *restrict C, int rows, int cols,
                             int kc, long sa, long ka, int N, long sk, long sc, int load) {
  for (int r = 0; r < rows; r++, A += sa, C += N)
    for (int c = 0; c < cols; c++) {
      float s = load ? C[c] : 0.0f;
      for (int k = 0; k < kc; k++) s += A[k * ka] * B[k * sk + c * sc];
      C[c] = s;
    }
}

/*
 * lda, ldb, ldc: the row lengths of A, B and C as stored (so a block of rows or columns of a bigger product
 * can be computed alone, as the thread pool does).
 * transA: A is given as Aᵀ, [K, M] (x of a 1×1 convolution for its filter gradient xᵀ·dy).
 * transB: B is given as Bᵀ, [N, K] row-major (a filter [K, N] read as its transpose for an input gradient, a
 * Dense layer's dy·Wᵀ); the panel copy transposes it on the way, so no transposed matrix is ever written.
 */
EXPORT(gemm)
void gemm(const float *restrict A, const float *restrict B, float *restrict C, int M, int K, int N, int transA,
          int transB, int lda, int ldb, int ldc, const float *restrict bias, int act, float *restrict panel) {
  long sa = transA ? 1 : lda, ka = transA ? lda : 1; /* A's element (i, k) at A[i·sa + k·ka] */
  long sk = transB ? 1 : ldb, sc = transB ? ldb : 1; /* B's element (k, j) at B[k·sk + j·sc] */
  for (int k0 = 0; k0 < K; k0 += GEMM_KC)
  for (int i0 = 0; i0 < M; i0 += GEMM_MC) {
    int kc = K - k0 < GEMM_KC ? K - k0 : GEMM_KC;
    int mc = M - i0 < GEMM_MC ? M - i0 : GEMM_MC;
    int load = k0 > 0;
    const float *Ai = A + i0 * sa;
    float *Ci = C + (long)i0 * ldc;
    for (int j = 0; j < N; j += 8) {
      int cols = N - j < 8 ? N - j : 8;
      const float *b = B + k0 * sk + j * sc;
      if (cols < 8) {
        gemm_cols(Ai + k0 * ka, b, Ci + j, mc, cols, kc, sa, ka, ldc, sk, sc, load);
        continue;
      }
      /* Rows of B lie N floats apart: at strides like 1280 floats they map to a few L1 sets and evict each
         other, so the panel is copied to a contiguous [kc][8] block once and reused by every row block. */
      int packed = mc > 4 || transB;
      if (transB) {
        for (int c = 0; c < 8; c++)
          for (int k = 0; k < kc; k++) panel[8 * k + c] = b[k + c * sc];
      } else if (packed) {
        for (int k = 0; k < kc; k++) {
          wasm_v128_store(panel + 8 * k, wasm_v128_load(b + k * sk));
          wasm_v128_store(panel + 8 * k + 4, wasm_v128_load(b + k * sk + 4));
        }
      }
      const float *p = packed ? panel : b;
      int ldp = packed ? 8 : ldb;
      int i = 0;
      for (; i + 4 <= mc; i += 4) gemm_4x8(Ai + i * sa + k0 * ka, p, Ci + (long)i * ldc + j, kc, sa, ka, ldp, ldc, load);
      for (; i < mc; i++) gemm_1x8(Ai + i * sa + k0 * ka, p, Ci + (long)i * ldc + j, kc, ka, ldp, load);
    }
  }
  if (bias || act)
    for (int i = 0; i < M; i++) {
      float *c = C + (long)i * ldc;
      if (bias)
        for (int j = 0; j < N; j++) c[j] += bias[j];
      if (act == 1)
        for (int j = 0; j < N; j++) c[j] = c[j] < 0.0f ? 0.0f : c[j];
      else if (act == 2)
        silu_run(c, N);
    }
}

/* Taps [lo, hi) of a kernel k taps long that land inside an input `size` long, for output position o. */
static inline int tap_lo(int o, int s, int pad) { return pad - o * s > 0 ? pad - o * s : 0; }
static inline int tap_hi(int o, int s, int pad, int k, int size) { return size + pad - o * s < k ? size + pad - o * s : k; }

/*
 * Forward convolution as im2col + gemm, a few images at a time: `cols` (colsRows·K floats of scratch, at least one
 * image's oh·ow rows) holds only as many images' patches as fit, so they are still in cache when gemm reads them;
 * whole-batch patches at batch 1000 would be hundreds of MB written and read back. Bias and activation as gemm.
 *
 * On small maps much of every patch is zero padding (a 3×3 conv on 1×1 positions multiplies 8 of its 9 taps by
 * zeros; at 4×4 a third). Where over 1/8 of the taps fall outside, output positions are grouped by the rectangle
 * of taps that land inside (runs of rows × runs of columns, at most 9 groups for 3×3 'same'), and each group is
 * one gemm of its compact patches by those taps' filter rows (gathered into `wtaps`, K·co floats), written to
 * `tmp` (colsRows·co floats) and copied to the group's rows of out, or straight to out when they are contiguous.
 */
EXPORT(conv_fwd_gemm)
void conv_fwd_gemm(const float *x, const float *w, const float *bias, float *out, int n, int H, int W, int ci, int oh,
                   int ow, int co, int kh, int kw, int sh, int sw, int top, int left, int act, float *cols,
                   int colsRows, float *panel, float *wtaps, float *tmp) {
  int K = kh * kw * ci, P = oh * ow;
  int g = colsRows / P < 1 ? 1 : colsRows / P;
  long rowTaps = 0, colTaps = 0;
  int empty = 0;
  for (int y = 0; y < oh; y++) {
    int d = tap_hi(y, sh, top, kh, H) - tap_lo(y, sh, top);
    rowTaps += d, empty |= d <= 0;
  }
  for (int xo = 0; xo < ow; xo++) {
    int d = tap_hi(xo, sw, left, kw, W) - tap_lo(xo, sw, left);
    colTaps += d, empty |= d <= 0;
  }
  if (empty || 8 * rowTaps * colTaps > 7L * oh * kh * ow * kw) {
    for (int b = 0; b < n; b += g) {
      int m = n - b < g ? n - b : g;
      im2col(x + (long)b * H * W * ci, cols, m, H, W, ci, oh, ow, kh, kw, sh, sw, top, left);
      gemm(cols, w, out + (long)b * P * co, m * P, K, co, 0, 0, K, co, co, bias, act, panel);
    }
    return;
  }
  // Groups outermost, so that each group's filter rows are gathered once, not once per chunk of images.
  for (int y0 = 0, y1; y0 < oh; y0 = y1) {
    int ia = tap_lo(y0, sh, top), ib = tap_hi(y0, sh, top, kh, H);
    for (y1 = y0 + 1; y1 < oh && tap_lo(y1, sh, top) == ia && tap_hi(y1, sh, top, kh, H) == ib; y1++) {}
    for (int x0 = 0, x1; x0 < ow; x0 = x1) {
      int ja = tap_lo(x0, sw, left), jb = tap_hi(x0, sw, left, kw, W);
      for (x1 = x0 + 1; x1 < ow && tap_lo(x1, sw, left) == ja && tap_hi(x1, sw, left, kw, W) == jb; x1++) {}
      int run = (jb - ja) * ci, kc = (ib - ia) * run, ny = y1 - y0, nx = x1 - x0;
      const float *wc = w;
      if (kc != K) {
        float *d = wtaps;
        for (int i = ia; i < ib; i++, d += (long)run * co) {
          const float *s = w + (long)(i * kw + ja) * ci * co;
          for (long e = 0; e < (long)run * co; e++) d[e] = s[e];
        }
        wc = wtaps;
      }
      for (int b = 0; b < n; b += g) {
        int m = n - b < g ? n - b : g;
        const float *xb = x + (long)b * H * W * ci;
        float *ob = out + (long)b * P * co;
        float *c = cols;
        for (int bi = 0; bi < m; bi++)
          for (int y = y0; y < y1; y++)
            for (int xo = x0; xo < x1; xo++)
              for (int i = ia; i < ib; i++, c += run) {
                const float *s = xb + (((long)bi * H + y * sh - top + i) * W + xo * sw - left + ja) * ci;
                for (int e = 0; e < run; e++) c[e] = s[e];
              }
        int direct = nx == ow && (ny == oh || m == 1);
        gemm(cols, wc, direct ? ob + (long)y0 * ow * co : tmp, m * ny * nx, kc, co, 0, 0, kc, co, co, bias, act, panel);
        if (direct) continue;
        const float *t = tmp;
        for (int bi = 0; bi < m; bi++)
          for (int y = y0; y < y1; y++, t += (long)nx * co) {
            float *d = ob + (((long)bi * oh + y) * ow + x0) * co;
            for (long e = 0; e < (long)nx * co; e++) d[e] = t[e];
          }
      }
    }
  }
}

/* x = x·σ(x) in place over n floats: SiLU after a convolution that could not fuse it. */
EXPORT(silu_inplace)
void silu_inplace(float *x, int n) {
  silu_run(x, n);
}

/*
 * out = x[b0:b0+s0, b1:b1+s1, b2:b2+s2, b3:b3+s3] of x [d0][d1][d2][d3] (lower ranks padded with leading 1s):
 * tfjs 4.22's wasm Slice (and SplitV, and so C3k2's channel split) copies each innermost run from JavaScript.
 */
EXPORT(slice4d)
void slice4d(const float *restrict x, float *restrict out, int d1, int d2, int d3, int b0, int b1, int b2, int b3,
             int s0, int s1, int s2, int s3) {
  for (int i0 = 0; i0 < s0; i0++)
    for (int i1 = 0; i1 < s1; i1++)
      for (int i2 = 0; i2 < s2; i2++, out += s3) {
        const float *restrict src = x + (((long)(b0 + i0) * d1 + b1 + i1) * d2 + b2 + i2) * d3 + b3;
        for (int c = 0; c < s3; c++) out[c] = src[c];
      }
}

/*
 * Columns [src_off, src_off + cols) of `rows` rows of src_cols floats to columns [dst_off, …) of rows of dst_cols
 * floats, written (acc 0) or added (acc 1): channel slices and concats of NHWC tensors, their gradients, and (one
 * row) a gradient's contributions, the first written and the rest added.
 */
EXPORT(move_cols)
void move_cols(const float *src, int src_cols, int src_off, float *dst, int dst_cols, int dst_off, int rows, int cols, int acc) {
  for (int r = 0; r < rows; r++) {
    const float *s = src + (long)r * src_cols + src_off;
    float *d = dst + (long)r * dst_cols + dst_off;
    if (acc)
      for (int c = 0; c < cols; c++) d[c] += s[c];
    else
      for (int c = 0; c < cols; c++) d[c] = s[c];
  }
}

/* One input of a concat: its rows of `cols` floats go to columns [offset, offset + cols) of dst's `dst_cols`. */
EXPORT(copy_rows)
void copy_rows(const float *src, float *dst, int rows, int cols, int dst_cols, int offset) {
  move_cols(src, cols, 0, dst, dst_cols, offset, rows, cols, 0);
}

/* ---- Kernels of the compiled training step (src/plan/): in-place and accumulating variants, no allocation. ---- */

/* invstd[c] = 1/sqrt(variance[c] + eps): inference BatchNorm from the moving variance. */
EXPORT(bn_invstd)
void bn_invstd(const float *variance, float *invstd, int C, float eps) {
  for (int c = 0; c < C; c++) invstd[c] = 1.0f / __builtin_sqrtf(variance[c] + eps);
}

/*
 * A bias-free conv's filter w [K][co] with the inference BatchNorm after it folded in (Ultralytics' fuse()):
 * w_out = w·s, b_out = beta − mean·s with s = gamma / sqrt(var + eps), per output channel.
 */
EXPORT(bn_fold)
void bn_fold(const float *restrict w, float *restrict w_out, float *restrict b_out, int K, int co, const float *restrict gamma,
             const float *restrict beta, const float *restrict mean, const float *restrict variance, float eps) {
  for (int o = 0; o < co; o++) b_out[o] = gamma[o] / __builtin_sqrtf(variance[o] + eps);
  for (int k = 0; k < K; k++)
    for (int o = 0; o < co; o++) w_out[(long)k * co + o] = w[(long)k * co + o] * b_out[o];
  for (int o = 0; o < co; o++) b_out[o] = beta[o] - mean[o] * b_out[o];
}

/* out = a + b over n floats (a residual Add). */
EXPORT(add2)
void add2(const float *a, const float *b, float *out, int n) {
  for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/* out = x·scale + offset over n floats (the model's Rescaling of raw pixels). */
EXPORT(scale_shift)
void scale_shift(const float *x, float *out, int n, float scale, float offset) {
  for (int i = 0; i < n; i++) out[i] = x[i] * scale + offset;
}

/* n zeros. */
EXPORT(zero_fill)
void zero_fill(float *dst, int n) {
  for (int i = 0; i < n; i++) dst[i] = 0.0f;
}

/* dz = dy where y > 0, else 0 (ReLU's backward through its output y). */
EXPORT(relu_backward)
void relu_backward(const float *dy, const float *y, float *dz, int n) {
  for (int i = 0; i < n; i++) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

/* Global average pool: y[b][c] = mean over the P positions of x[b][p][c]. */
EXPORT(gap_forward)
void gap_forward(const float *restrict x, float *restrict y, int n, int P, int C) {
  float inv = 1.0f / P;
  for (int b = 0; b < n; b++, y += C) {
    for (int c = 0; c < C; c++) y[c] = 0.0f;
    for (int p = 0; p < P; p++, x += C)
      for (int c = 0; c < C; c++) y[c] += x[c];
    for (int c = 0; c < C; c++) y[c] *= inv;
  }
}

/* Its adjoint: dx[b][p][c] = dy[b][c] / P, written (acc 0) or added (acc 1). */
EXPORT(gap_backward)
void gap_backward(const float *restrict dy, float *restrict dx, int n, int P, int C, int acc) {
  float inv = 1.0f / P;
  for (int b = 0; b < n; b++, dy += C)
    for (int p = 0; p < P; p++, dx += C)
      for (int c = 0; c < C; c++) dx[c] = (acc ? dx[c] : 0.0f) + dy[c] * inv;
}

/* MaxPool 2×2 stride 2, no padding (the plain CNN's pools), forward; maxpool2x2_grad is its backward. */
EXPORT(maxpool2x2_forward)
void maxpool2x2_forward(const float *restrict x, float *restrict y, int n, int H, int W, int C, int oh, int ow) {
  for (int b = 0; b < n; b++)
    for (int r = 0; r < oh; r++)
      for (int q = 0; q < ow; q++, y += C) {
        long p00 = (((long)b * H + 2 * r) * W + 2 * q) * C, p01 = p00 + C, p10 = p00 + (long)W * C, p11 = p10 + C;
        for (int c = 0; c < C; c++) y[c] = __builtin_fmaxf(__builtin_fmaxf(x[p00 + c], x[p01 + c]), __builtin_fmaxf(x[p10 + c], x[p11 + c]));
      }
}

/* Depthwise convolution forward (NHWC, filter [kh][kw][ci][mult], output channel c·mult + q), undilated. */
EXPORT(depthwise_forward)
void depthwise_forward(const float *restrict x, const float *restrict w, float *restrict out, int n, int H, int W, int ci,
                       int oh, int ow, int mult, int kh, int kw, int sh, int sw, int top, int left) {
  int co = ci * mult;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < oh; y++)
      for (int xo = 0; xo < ow; xo++, out += co) {
        for (int o = 0; o < co; o++) out[o] = 0.0f;
        for (int i = 0; i < kh; i++) {
          int ih = y * sh - top + i;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < kw; j++) {
            int iw = xo * sw - left + j;
            if (iw < 0 || iw >= W) continue;
            const float *restrict src = x + (((long)b * H + ih) * W + iw) * ci;
            const float *restrict wr = w + (long)(i * kw + j) * co;
            for (int c = 0; c < ci; c++)
              for (int q = 0; q < mult; q++) out[c * mult + q] += src[c] * wr[c * mult + q];
          }
        }
      }
}

/*
 * BatchNorm's moving statistics after a training batch: moving' = moving·momentum + batch·(1 − momentum), with the
 * biased batch variance recovered from invstd (as the tfjs path's YoloTsBatchNormStats).
 */
EXPORT(bn_moving_update)
void bn_moving_update(const float *restrict mean, const float *restrict invstd, float *restrict moving_mean,
                      float *restrict moving_var, int C, float momentum, float eps) {
  for (int c = 0; c < C; c++) {
    moving_mean[c] = moving_mean[c] * momentum + mean[c] * (1.0f - momentum);
    moving_var[c] = moving_var[c] * momentum + (1.0f / (invstd[c] * invstd[c]) - eps) * (1.0f - momentum);
  }
}

/*
 * Softmax cross-entropy of logits [n][nc] against int labels with label smoothing s (targets (1 − s)·onehot + s/nc),
 * mean over the batch: dlogits = (softmax − target)/n, and per-row log-sum-exp terms left for the caller's loss
 * (lse[r] = max + log Σ e^(z − max) needs a log, which this module does not have): shifted[r][k] = z − max and
 * sums[r] = Σ e^(z − max).
 */
EXPORT(softmax_xent_grad)
void softmax_xent_grad(const float *restrict logits, const int *restrict labels, float *restrict dlogits, float *restrict sums,
                       int n, int nc, float smoothing) {
  float inv = 1.0f / n, off = smoothing / nc;
  for (int r = 0; r < n; r++) {
    const float *z = logits + (long)r * nc;
    float *d = dlogits + (long)r * nc;
    float mx = z[0];
    for (int k = 1; k < nc; k++) mx = z[k] > mx ? z[k] : mx;
    float s = 0.0f;
    for (int k = 0; k < nc; k++) {
      d[k] = exp_approx(z[k] - mx);
      s += d[k];
    }
    sums[r] = s;
    float is = 1.0f / s;
    for (int k = 0; k < nc; k++) d[k] = (d[k] * is - off - (k == labels[r] ? 1.0f - smoothing : 0.0f)) * inv;
  }
}

/*
 * Multi-head attention of Ultralytics' Attention over N = H·W positions, per image: qkv [N][heads·(2·kd + hd)]
 * (per head q, k, v), out [N][heads·hd] = softmax(q·kᵀ·scale)·v, v_out the v channels, attn [heads][N][N] kept
 * for the backward. Naive loops: at MNIST sizes the last stage is 1×1 or 2×2.
 */
EXPORT(attention_forward)
void attention_forward(const float *restrict qkv, float *restrict out, float *restrict v_out, float *restrict attn, int n,
                       int N, int heads, int kd, int hd, float scale) {
  int stride = heads * (2 * kd + hd), oc = heads * hd;
  for (int b = 0; b < n; b++) {
    const float *x = qkv + (long)b * N * stride;
    float *o = out + (long)b * N * oc, *vo = v_out + (long)b * N * oc;
    for (int h = 0; h < heads; h++) {
      float *a = attn + ((long)b * heads + h) * N * N;
      int q0 = h * (2 * kd + hd), k0 = q0 + kd, v0 = k0 + kd;
      for (int i = 0; i < N; i++) {
        float mx = -3.0e38f;
        for (int j = 0; j < N; j++) {
          float s = 0.0f;
          for (int d = 0; d < kd; d++) s += x[i * stride + q0 + d] * x[j * stride + k0 + d];
          a[i * N + j] = s * scale;
          mx = a[i * N + j] > mx ? a[i * N + j] : mx;
        }
        float sum = 0.0f;
        for (int j = 0; j < N; j++) sum += (a[i * N + j] = exp_approx(a[i * N + j] - mx));
        for (int j = 0; j < N; j++) a[i * N + j] /= sum;
        for (int d = 0; d < hd; d++) {
          float s = 0.0f;
          for (int j = 0; j < N; j++) s += a[i * N + j] * x[j * stride + v0 + d];
          o[i * oc + h * hd + d] = s;
          vo[i * oc + h * hd + d] = x[i * stride + v0 + d];
        }
      }
    }
  }
}

/* Its backward: dqkv from d_out (the attended values) and d_v (the v output's own gradient), written whole. */
EXPORT(attention_backward)
void attention_backward(const float *restrict qkv, const float *restrict attn, const float *restrict d_out,
                        const float *restrict d_v, float *restrict dqkv, float *restrict scratch, int n, int N, int heads,
                        int kd, int hd, float scale) {
  int stride = heads * (2 * kd + hd), oc = heads * hd;
  for (int b = 0; b < n; b++) {
    const float *x = qkv + (long)b * N * stride, *go = d_out + (long)b * N * oc, *gv = d_v + (long)b * N * oc;
    float *dx = dqkv + (long)b * N * stride;
    for (int h = 0; h < heads; h++) {
      const float *a = attn + ((long)b * heads + h) * N * N;
      int q0 = h * (2 * kd + hd), k0 = q0 + kd, v0 = k0 + kd;
      /* dv[j] = Σ_i a[i][j]·dout[i] + d_v[j] */
      for (int j = 0; j < N; j++)
        for (int d = 0; d < hd; d++) {
          float s = gv[j * oc + h * hd + d];
          for (int i = 0; i < N; i++) s += a[i * N + j] * go[i * oc + h * hd + d];
          dx[j * stride + v0 + d] = s;
        }
      /* dS = a ⊙ (dA − Σ_j dA·a), dA[i][j] = dout[i]·v[j]; scratch holds dS for this head. */
      for (int i = 0; i < N; i++) {
        float dot = 0.0f;
        for (int j = 0; j < N; j++) {
          float s = 0.0f;
          for (int d = 0; d < hd; d++) s += go[i * oc + h * hd + d] * x[j * stride + v0 + d];
          scratch[i * N + j] = s;
          dot += s * a[i * N + j];
        }
        for (int j = 0; j < N; j++) scratch[i * N + j] = a[i * N + j] * (scratch[i * N + j] - dot) * scale;
      }
      for (int i = 0; i < N; i++)
        for (int d = 0; d < kd; d++) {
          float sq = 0.0f, sk = 0.0f;
          for (int j = 0; j < N; j++) {
            sq += scratch[i * N + j] * x[j * stride + k0 + d];
            sk += scratch[j * N + i] * x[j * stride + q0 + d];
          }
          dx[i * stride + q0 + d] = sq;
          dx[i * stride + k0 + d] = sk;
        }
    }
  }
}
