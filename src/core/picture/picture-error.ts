// The picture module's one error. Its `problem` says what went wrong; its `code` depends on what the
// picture was for, so a drawn mask fails as MASK_TOO_LARGE and a result preview as IMAGE_TOO_LARGE,
// from the same checks. Nothing here knows of masks or thumbnails beyond those names.

/** `unavailable`: the picture's address answered with an error, or did not answer. */
export type PictureProblem = 'too-large' | 'unreadable' | 'aborted' | 'unavailable';

/** What the picture is for: a mask (or the picture a mask is sized after) or a result image. */
export type PictureSubject = 'mask' | 'image';

const CODES = {
  mask: {
    'too-large': 'MASK_TOO_LARGE',
    unreadable: 'MASK_BAD_IMAGE',
    aborted: 'MASK_ABORTED',
    unavailable: 'MASK_BAD_IMAGE',
  },
  image: {
    'too-large': 'IMAGE_TOO_LARGE',
    unreadable: 'IMAGE_UNREADABLE',
    aborted: 'IMAGE_ABORTED',
    unavailable: 'IMAGE_UNAVAILABLE',
  },
} as const;

export type PictureErrorCode = (typeof CODES)[PictureSubject][PictureProblem];

export class PictureError extends Error {
  readonly problem: PictureProblem;
  readonly subject: PictureSubject;
  readonly code: PictureErrorCode;

  constructor(problem: PictureProblem, message: string, subject: PictureSubject = 'image') {
    super(message);
    this.name = 'PictureError';
    this.problem = problem;
    this.subject = subject;
    this.code = CODES[subject][problem];
  }

  /** The same problem, told about a picture with another purpose. */
  as(subject: PictureSubject): PictureError {
    return subject === this.subject ? this : new PictureError(this.problem, this.message, subject);
  }

  /** The plain shape flows see as `msg.error`. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isPictureError(value: unknown): value is PictureError {
  return value instanceof PictureError;
}

export function tooLarge(message: string, subject?: PictureSubject): PictureError {
  return new PictureError('too-large', message, subject);
}

export function unreadable(message: string, subject?: PictureSubject): PictureError {
  return new PictureError('unreadable', message, subject);
}
