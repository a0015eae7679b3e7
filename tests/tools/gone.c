/* libgone.so: needed by prog-missing, and found nowhere at run time. */
int
gone_get(void)
{
	return 42;
}
