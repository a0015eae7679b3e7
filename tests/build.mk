# Unit tests of the engine (cmocka), one program per source file.
