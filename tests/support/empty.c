/* Keeps the test support library non-empty before helpers exist. */
typedef int kdr_test_support_empty;
