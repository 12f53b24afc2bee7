#include <stdio.h>

int main(void)
{
    puts("hello from the trunkline demo");
    return 0;
}
