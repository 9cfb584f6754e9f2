owner_rpm.o: src/pkg/owner_rpm.c src/pkg/owner.h
src/pkg/owner.h:
