/* One kernel variant for tools/kernel-ab.sh: compiled twice, from two copies of backends/ (KSRC
   names that copy's avx2.c or avx512.c), with the exported names renamed per copy (AB_LAYER, AB_INIT). */
#include KSRC

void AB_LAYER(const sw_layer_args *a) { layer_forward(a, NULL); }
void AB_INIT(void) { thread_init(); }
