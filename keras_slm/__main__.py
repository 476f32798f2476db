import sys

from keras_slm.cli import main

sys.exit(main())
