declare module 'wink-sentiment' {
  interface Result {
    score: number;
    normalizedScore: number;
  }
  export default function sentiment(text: string): Result;
}
