// lesson 00's exercises: in progress
export {};
